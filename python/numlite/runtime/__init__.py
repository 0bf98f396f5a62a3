"""Run time: per-interpreter state and per-subgraph plans."""

import threading

from .subgraph import Subgraph


class Runtime:
    """Everything one interpreter owns: its model, subgraphs and shared state.

    Subgraphs are built on first use. ``lock`` serialises every public call, so
    one interpreter can be shared by threads without interleaving.

    State shared by every subgraph and signature of this interpreter (and by no
    other interpreter), used by the stateful kernels (ops/variables.py,
    ops/hashtable.py, ops/control_flow.py):

    * ``resource_ids``: ``(container, shared_name)`` -> resource id, assigned in
      first-use order by VAR_HANDLE;
    * ``resources``: resource id -> the resource variable's current value (a
      numpy array owned by the runtime, replaced on every ASSIGN_VARIABLE);
    * ``hashtables``: table id -> ``hashtable.Table`` (HASHTABLE and friends);
    * ``initialized``: indices of the init subgraphs CALL_ONCE has run.

    None of these is touched by ``reset_all_variables`` (as in LiteRT, which
    resets only ``is_variable`` tensors).
    """

    def __init__(self, model, custom_kernels=None):
        from .. import ops  # noqa: F401  (registers the kernels)
        self.model = model
        self.custom_kernels = dict(custom_kernels or {})
        self._subgraphs = [None] * len(model.subgraphs)
        self.lock = threading.RLock()
        self.resource_ids = {}
        self.resources = {}
        self.hashtables = {}
        self.initialized = set()
        #: set from another thread to stop invoke() between two operators (Java's setCancelled)
        self.cancelled = False

    def subgraph(self, index):
        sub = self._subgraphs[index]
        if sub is None:
            sub = self._subgraphs[index] = Subgraph(self, index)
        return sub

    def built_subgraphs(self):
        return [s for s in self._subgraphs if s is not None]


__all__ = ["Runtime", "Subgraph"]
