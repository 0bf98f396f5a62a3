"""Op registry: builtin codes and custom codes -> kernels.

A kernel is a ``prepare(node)`` function (see runtime/node.py for what ``node``
offers). ``prepare`` validates the node, infers output shapes and returns
``(run, output_shapes)``:

* ``run(*inputs)`` takes one numpy array per node input (``None`` for an
  absent optional input) and returns one array, or a tuple of arrays when the
  node has several outputs. It must not write into its inputs and must return
  arrays of the output tensors' dtypes.
* ``output_shapes`` is a list with one tuple per output, or ``None`` for an
  output whose shape depends on input values and is known only after ``run``.

Kernels raise ``KernelError`` (or ValueError) with a message; the runtime adds
LiteRT's "Node number N (OP) failed to prepare/invoke." line.
A kernel registered with ``foldable=True`` (the default) is pure: when all its
inputs are known at prepare time the runtime runs it once and keeps the result.
A kernel registered with ``shape_only=True`` (SHAPE, RANK) reads nothing but its inputs'
shapes: the runtime folds it as soon as those shapes are static, whatever the values, and
its ``run`` gets ``None`` for inputs whose values are not known.

One op can have several kernels: ``builtin(name, when=predicate)`` registers a variant
(the integer kernels of a float op, say) that serves the nodes for which
``predicate(node)`` is true; other nodes go to the kernel registered without ``when``.
Variants are tried in registration order, so a kernel module never tests dtypes to pick
another module's kernel.
"""

from typing import Callable, NamedTuple

from ..model.enums import BUILTIN_CODES


class KernelError(Exception):
    """A kernel refused its node (at prepare) or its data (at run)."""


class Kernel(NamedTuple):
    prepare: Callable
    foldable: bool
    shape_only: bool = False


_BUILTIN = {}
_VARIANTS = {}      # builtin code -> [(predicate, Kernel)]
_DISPATCH = {}      # builtin code -> Kernel choosing among its variants (built on first lookup)
_CUSTOM = {}
_CUSTOM_PREFIXES = {}


def builtin(*names, foldable=True, when=None, shape_only=False):
    """Register ``prepare`` for one or more BuiltinOperator names (for the nodes where
    ``when(node)`` holds, when given)."""
    def register(prepare):
        kernel = Kernel(prepare, foldable, shape_only)
        for name in names:
            code = BUILTIN_CODES[name]
            if when is None:
                _BUILTIN[code] = kernel
            else:
                _VARIANTS.setdefault(code, []).append((when, kernel))
            _DISPATCH.pop(code, None)
        return prepare
    return register


def _dispatcher(code):
    """One Kernel for a builtin code: its variants first, then its plain kernel."""
    variants = _VARIANTS.get(code)
    plain = _BUILTIN.get(code)
    if not variants:
        return plain
    choices = list(variants) + ([(None, plain)] if plain is not None else [])

    def prepare(node):
        for predicate, kernel in choices:
            if predicate is None or predicate(node):
                return kernel.prepare(node)
        raise KernelError(f"{node.op_name}: no kernel for these input and output types")
    # folding needs every variant to be pure (or to read only shapes)
    return Kernel(prepare, all(kernel.foldable for _, kernel in choices),
                  all(kernel.shape_only for _, kernel in choices))


def custom(*codes, foldable=True):
    """Register ``prepare`` for one or more custom op codes."""
    def register(prepare):
        for code in codes:
            _CUSTOM[code] = Kernel(prepare, foldable)
        return prepare
    return register


def custom_prefix(prefix, resolve):
    """Resolve every custom code starting with ``prefix`` through ``resolve(code) -> Kernel|None``."""
    _CUSTOM_PREFIXES[prefix] = resolve


def lookup(opcode, extra_custom=None):
    """The Kernel for an OperatorCode, or None when numlite has none."""
    code = opcode.builtin_code
    if code != BUILTIN_CODES["CUSTOM"]:
        if code not in _DISPATCH:
            _DISPATCH[code] = _dispatcher(code)
        return _DISPATCH[code]
    code = opcode.custom_code or ""
    if extra_custom and code in extra_custom:
        return extra_custom[code]
    if code in _CUSTOM:
        return _CUSTOM[code]
    for prefix, resolve in _CUSTOM_PREFIXES.items():
        if code.startswith(prefix):
            return resolve(code)
    return None


def supported_builtins():
    from ..model.enums import BUILTIN_OPERATORS
    return sorted(BUILTIN_OPERATORS[c] for c in set(_BUILTIN) | set(_VARIANTS))


def supported_custom():
    return sorted(_CUSTOM)


def describe_builtins():
    """{op name: [(kernel module, predicate name or None)]}, variants first: which kernels
    serve each builtin op (``python -m numlite ops`` prints it)."""
    from ..model.enums import BUILTIN_OPERATORS
    table = {}
    for code in set(_BUILTIN) | set(_VARIANTS):
        rows = [(kernel.prepare.__module__, when.__name__) for when, kernel in _VARIANTS.get(code, ())]
        if code in _BUILTIN:
            rows.append((_BUILTIN[code].prepare.__module__, None))
        table[BUILTIN_OPERATORS[code]] = rows
    return dict(sorted(table.items()))
