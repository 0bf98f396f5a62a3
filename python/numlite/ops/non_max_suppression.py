"""NON_MAX_SUPPRESSION_V4 and _V5: greedy (V5: optionally soft) non-max suppression.

Inputs: boxes float32 ``[N, 4]`` (two corners ``(y1, x1, y2, x2)`` in either order), scores
float32 ``[N]``, max_output_size int32 scalar, iou_threshold and score_threshold float32
scalars, and for V5 soft_nms_sigma float32 scalar. Outputs: V4 ``selected_indices`` int32
``[max_output_size]`` and ``valid_outputs`` int32 scalar; V5 adds ``selected_scores``
float32 ``[max_output_size]`` between the two. Entries past ``valid_outputs`` are 0 (LiteRT
always pads; a run-time max_output_size makes the outputs' length dynamic).

Selection, as LiteRT's reference kernel defines it: only boxes with score > score_threshold
take part; repeatedly the candidate with the highest current score is selected, until
max_output_size are or none is left. After each selection every remaining candidate whose
IoU with the selected box is >= iou_threshold is dropped; with soft_nms_sigma > 0 the others'
scores are scaled by ``exp(-0.5 / sigma * iou^2)`` and those falling to <= score_threshold
are dropped. V5 reports the (decayed) score each box had when selected. LiteRT evaluates the
decay lazily with a priority queue; applying it eagerly selects the same boxes (the queue
always yields the highest fully decayed score). IoU of degenerate (zero-area) boxes is 0.

LiteRT puts a selected box back among the candidates, so it meets itself in the next turn:
an ordinary box has IoU 1 with itself and is dropped (iou_threshold <= 1), but a
degenerate box (IoU 0) or an iou_threshold above 1 selects the same box again and again
(soft NMS decays it by ``exp(-0.5 / sigma)`` first). numlite keeps that behaviour: the
selected box stays a candidate and goes through the same IoU rule as the others.
Among equal scores numlite takes the lowest box index; LiteRT's order there is its heap's.

The loop runs once per selected box (at most max_output_size times); each turn is one
vectorised IoU of the selected box against all candidates.
"""

import numpy as np

from ..model import types
from .common import KernelError, type_name
from .registry import builtin
from .windows import known_ints

_V4_INPUTS = ("boxes", "scores", "max_output_size", "iou_threshold", "score_threshold")


def _check(node, soft):
    names = _V4_INPUTS + (("soft_nms_sigma",) if soft else ())
    outputs = 3 if soft else 2
    if len(node.inputs) != len(names) or len(node.outputs) != outputs:
        raise KernelError(f"{node.op_name}: expected {len(names)} inputs and {outputs} outputs, "
                          f"got {len(node.inputs)} and {len(node.outputs)}")
    specs = dict(zip(names, node.inputs))
    for name, spec in specs.items():
        if spec is None:
            raise KernelError(f"{node.op_name}: missing {name} input")
        want = types.INT32 if name == "max_output_size" else types.FLOAT32
        if spec.type != want:
            raise KernelError(f"{node.op_name}: {name} type {type_name(spec)} is not "
                              f"{types.type_name(want)}")
        rank = {"boxes": 2, "scores": 1}.get(name, 0)
        if spec.shape is None or len(spec.shape) != rank:
            raise KernelError(f"{node.op_name}: {name} must have {rank} dimensions, got shape "
                              f"{None if spec.shape is None else list(spec.shape)}")
    boxes, scores = specs["boxes"], specs["scores"]
    if boxes.shape[1] != 4:
        raise KernelError(f"{node.op_name}: boxes must have shape [N, 4], got "
                          f"{list(boxes.shape)}")
    if scores.shape[0] != boxes.shape[0]:
        raise KernelError(f"{node.op_name}: {scores.shape[0]} scores for {boxes.shape[0]} boxes")
    want_out = (types.INT32, types.FLOAT32, types.INT32) if soft else (types.INT32, types.INT32)
    for spec, want in zip(node.outputs, want_out):
        if spec.type != want:
            raise KernelError(f"{node.op_name}: output {spec.name!r} type {type_name(spec)} is "
                              f"not {types.type_name(want)}")
    size = known_ints(node, specs["max_output_size"], "max_output_size")
    if size is not None and int(size) < 0:
        raise KernelError("(max_output_size_value >= 0) was not true.")     # LiteRT's text
    return None if size is None else int(size)


def _corners(boxes):
    """(lows [2, N], highs [2, N], areas [N]) of [N, 4] corner-pair boxes, float32."""
    pairs = boxes.T.reshape(2, 2, -1)               # [corner, axis (y, x), box]
    lows, highs = np.minimum(pairs[0], pairs[1]), np.maximum(pairs[0], pairs[1])
    sides = highs - lows
    return lows, highs, sides[0] * sides[1]


def suppress(boxes, scores, max_output, iou_threshold, score_threshold, sigma):
    """(selected indices int32, their scores float32), at most ``max_output`` of each."""
    keep = np.flatnonzero(scores > score_threshold)
    limit = min(max_output, keep.size)
    if limit == 0:
        return np.zeros(0, np.int32), np.zeros(0, np.float32)
    lows, highs, area = _corners(boxes[keep])
    flat = area <= 0                                # IoU with a zero-area box is 0
    any_flat = bool(flat.any())
    current = scores[keep].astype(np.float32)
    scale = np.float32(-0.5 / sigma) if sigma > 0 else None
    dropped = np.float32(-np.inf)
    minimum, maximum, multiply, exp = np.minimum, np.maximum, np.multiply, np.exp
    argmax = current.argmax
    picked, picked_scores = [], []
    with np.errstate(divide="ignore", invalid="ignore"):
        while len(picked) < limit:
            best = int(argmax())
            if current[best] == dropped:
                break
            picked.append(best)
            picked_scores.append(current[best])
            # IoU of the selected box with every candidate, in float32 in LiteRT's order
            side = minimum(highs, highs[:, best, None]) - maximum(lows, lows[:, best, None])
            maximum(side, 0, out=side)
            inter = side[0] * side[1]
            iou = inter / ((area + area[best]) - inter)
            if flat[best]:
                iou[:] = 0
            elif any_flat:
                iou[flat] = 0
            current[iou >= iou_threshold] = dropped
            if scale is not None:
                # every live candidate is above score_threshold; dropped ones stay -inf
                multiply(current, exp(scale * iou * iou), out=current,
                         where=current > score_threshold)
                current[current <= score_threshold] = dropped
    return keep[picked].astype(np.int32), np.asarray(picked_scores, np.float32)


def _prepare(node, soft):
    size = _check(node, soft)

    def run(boxes, scores, max_size, iou, score, sigma=None):
        m = int(max_size)
        if m < 0:
            raise KernelError("(max_output_size_value >= 0) was not true.")
        s = float(sigma) if soft else 0.0
        if s < 0:
            raise KernelError(f"Invalid sigma value for soft NMS: {s:f}")   # LiteRT's text
        picked, picked_scores = suppress(boxes, scores, m, np.float32(iou), np.float32(score), s)
        count = np.asarray(picked.size, np.int32)
        indices = np.zeros(m, np.int32)
        indices[:picked.size] = picked
        if not soft:
            return indices, count
        values = np.zeros(m, np.float32)
        values[:picked.size] = picked_scores
        return indices, values, count

    padded = None if size is None else (size,)
    shapes = [padded, padded, ()] if soft else [padded, ()]
    return run, shapes


@builtin("NON_MAX_SUPPRESSION_V4")
def prepare_non_max_suppression_v4(node):
    return _prepare(node, soft=False)


@builtin("NON_MAX_SUPPRESSION_V5")
def prepare_non_max_suppression_v5(node):
    return _prepare(node, soft=True)
