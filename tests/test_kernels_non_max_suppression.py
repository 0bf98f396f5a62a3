"""NON_MAX_SUPPRESSION_V4 / _V5 against ai_edge_litert: thresholds, max_output_size (constant
and fed at run time, smaller and larger than the candidates), corner order, degenerate
boxes, soft NMS sigmas, and the errors at prepare and invoke."""

import numpy as np
import pytest

from builder import T, single_op
from differential import DEFAULT, REF, compare, compare_dynamic, litert_error, numlite_error

ATOL = RTOL = 1e-5


def random_boxes(n, seed, swap=False, degenerate=0):
    """``n`` clustered boxes (many overlaps) with distinct scores in (0, 1)."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, 1, (max(n // 4, 1), 2))[rng.integers(0, max(n // 4, 1), n)]
    centres = centres + rng.normal(0, 0.05, (n, 2))
    sizes = rng.uniform(0.05, 0.3, (n, 2))
    boxes = np.concatenate([centres - sizes / 2, centres + sizes / 2], axis=1)
    if swap:        # corners in either order
        flip = rng.random(n) < 0.5
        boxes[flip] = boxes[flip][:, [2, 3, 0, 1]]
    if degenerate:
        boxes[:degenerate, 2] = boxes[:degenerate, 0]       # zero height
    scores = rng.permutation(np.linspace(0.01, 0.99, n))
    return boxes.astype(np.float32), scores.astype(np.float32)


def nms_model(n, max_output, iou, score, sigma=None, const_size=True):
    """V4 (sigma None) or V5 with every scalar but max_output_size (optionally) constant."""
    size = T([], np.int32, data=np.int32(max_output) if const_size else None)
    inputs = [T([n, 4]), T([n]), size, T([], data=np.float32(iou)),
              T([], data=np.float32(score))]
    outputs = [T([max_output], np.int32)]
    if sigma is not None:
        inputs.append(T([], data=np.float32(sigma)))
        outputs.append(T([max_output]))
    outputs.append(T([], np.int32))
    op = "NON_MAX_SUPPRESSION_V4" if sigma is None else "NON_MAX_SUPPRESSION_V5"
    return single_op(op, inputs, outputs)


V4_CASES = [
    # (boxes, max_output_size, iou_threshold, score_threshold)
    (30, 10, 0.5, 0.0),
    (30, 30, 0.3, 0.2),
    (50, 5, 0.7, -np.inf),
    (20, 40, 0.5, 0.5),         # max_output_size above the candidates: zero padding
    (20, 0, 0.5, 0.0),
    (20, 8, 0.0, 0.0),          # iou_threshold 0: any overlap suppresses
    (20, 8, 1.0, 0.0),
    (20, 8, 0.5, 1.0),          # no score above the threshold
    (1, 3, 0.5, 0.0),
]


@pytest.mark.parametrize("resolver", (REF, DEFAULT))
@pytest.mark.parametrize("case", V4_CASES, ids=str)
def test_v4(case, resolver):
    n, max_output, iou, score = case
    boxes, scores = random_boxes(n, seed=n + max_output, swap=True, degenerate=2)
    ours, _ = compare(nms_model(n, max_output, iou, score), [boxes, scores], resolver=resolver)
    assert ours[0].shape == (max_output,) and 0 <= ours[1] <= max_output


V5_CASES = [
    # (boxes, max_output_size, iou_threshold, score_threshold, soft_nms_sigma)
    (30, 10, 0.5, 0.0, 0.0),    # sigma 0: hard NMS, with the selected scores
    (30, 10, 0.5, 0.3, 0.5),    # soft NMS: decayed scores, re-ranking
    (40, 20, 1.0, 0.1, 0.2),    # soft only (no hard suppression)
    (40, 40, 0.6, 0.0, 1.0),
    (25, 6, 0.3, 0.5, 0.1),
    (10, 0, 0.5, 0.0, 0.5),
]


@pytest.mark.parametrize("resolver", (REF, DEFAULT))
@pytest.mark.parametrize("case", V5_CASES, ids=str)
def test_v5(case, resolver):
    n, max_output, iou, score, sigma = case
    boxes, scores = random_boxes(n, seed=n * 7 + max_output, swap=True, degenerate=1)
    ours, _ = compare(nms_model(n, max_output, iou, score, sigma), [boxes, scores],
                      resolver=resolver, rtol=RTOL, atol=ATOL)
    count = int(ours[2])
    assert (ours[1][count:] == 0).all() and (ours[0][count:] == 0).all()


@pytest.mark.parametrize("sigma", (None, 0.5), ids=("v4", "v5"))
@pytest.mark.parametrize("max_output", (0, 4, 12))
def test_run_time_max_output_size(max_output, sigma):
    """A max_output_size fed at run time: the outputs' length follows its value (LiteRT
    cannot hand out an empty dynamic output: compare_dynamic checks its shape then)."""
    boxes, scores = random_boxes(16, seed=max_output)
    model = nms_model(16, 1, 0.4, 0.1, sigma, const_size=False)
    ours, _ = compare_dynamic(model, [boxes, scores, np.int32(max_output)], rtol=RTOL,
                              atol=ATOL)
    assert ours[0].shape == (max_output,)


@pytest.mark.parametrize("sigma", (None, 0.0, 0.5), ids=("v4", "v5 hard", "v5 soft"))
@pytest.mark.parametrize("iou", (0.5, 1.5), ids=("iou 0.5", "iou 1.5"))
def test_selected_box_meets_itself_like_litert(iou, sigma):
    """LiteRT re-queues a selected box: degenerate boxes, or any box when iou_threshold > 1,
    are selected again (see the module docstring of ops/non_max_suppression.py)."""
    boxes, scores = random_boxes(12, seed=4, degenerate=3)
    compare(nms_model(12, 9, iou, 0.05, sigma), [boxes, scores], rtol=RTOL, atol=ATOL)


def test_hand_computed_v4():
    """Box 1 overlaps box 0 (IoU 0.81 >= 0.5) and is suppressed; box 2 is apart."""
    boxes = np.array([[0, 0, 1, 1], [0, 0, 0.9, 0.9], [2, 2, 3, 3]], np.float32)
    scores = np.array([0.9, 0.8, 0.7], np.float32)
    ours, _ = compare(nms_model(3, 3, 0.5, 0.0), [boxes, scores])
    assert ours[0].tolist() == [0, 2, 0] and int(ours[1]) == 2


@pytest.mark.parametrize("sigma", (None, 0.5), ids=("v4", "v5"))
@pytest.mark.parametrize("iou", (0.5, 0.50001), ids=("at the IoU", "just above"))
def test_iou_equal_to_the_threshold_suppresses(iou, sigma):
    """Boxes 0 and 1 have IoU exactly 0.5 (intersection 1, union 2): IoU >= threshold
    suppresses, so box 1 survives only when the threshold is above 0.5."""
    boxes = np.array([[0, 0, 1, 2], [0, 0, 1, 1], [5, 5, 6, 6]], np.float32)
    scores = np.array([0.9, 0.8, 0.7], np.float32)
    ours, _ = compare(nms_model(3, 3, iou, 0.0, sigma), [boxes, scores], rtol=RTOL, atol=ATOL)
    assert (1 in ours[0][:int(ours[-1])].tolist()) == (iou > 0.5)


def test_negative_sigma_fails_at_invoke_like_litert():
    boxes, scores = random_boxes(5, seed=1)
    model = nms_model(5, 3, 0.5, 0.0, sigma=-1.0)
    ours, theirs = numlite_error(model, [boxes, scores]), litert_error(model, [boxes, scores])
    assert theirs is not None and "Invalid sigma value for soft NMS" in theirs
    assert ours is not None and "Invalid sigma value for soft NMS" in ours


def _bad(op="NON_MAX_SUPPRESSION_V4", boxes=(6, 4), scores=(6,), size_type=np.int32,
         iou_shape=(), box_type=np.float32, outputs=None, size=3):
    inputs = [T(list(boxes), box_type), T(list(scores)),
              T([], size_type, data=np.asarray(size, size_type)),
              T(list(iou_shape), data=np.full(iou_shape, 0.5, np.float32)),
              T([], data=np.float32(0))]
    if op == "NON_MAX_SUPPRESSION_V5":
        inputs.append(T([], data=np.float32(0.5)))
    if outputs is None:
        outputs = [T([3], np.int32)] + ([T([3])] if op.endswith("V5") else []) + \
            [T([], np.int32)]
    model = single_op(op, inputs, outputs)
    good_boxes, good_scores = random_boxes(6, seed=2)
    return model, [np.resize(good_boxes, boxes).astype(box_type),
                   np.resize(good_scores, scores)]


@pytest.mark.parametrize("change", [
    dict(), dict(op="NON_MAX_SUPPRESSION_V5"),
], ids=("v4", "v5"))
def test_error_base_models_run(change):
    model, feeds = _bad(**change)
    compare(model, feeds, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("change", [
    dict(boxes=(6, 3)), dict(boxes=(6, 4, 1)), dict(scores=(5,)), dict(scores=(6, 1)),
    dict(size_type=np.int64), dict(iou_shape=(1,)), dict(box_type=np.int32), dict(size=-1),
    dict(op="NON_MAX_SUPPRESSION_V5", boxes=(6, 5)),
    dict(op="NON_MAX_SUPPRESSION_V5", outputs=[T([3], np.int32), T([], np.int32)]),
], ids=("boxes [6, 3]", "boxes rank 3", "5 scores", "scores rank 2", "int64 size",
        "iou rank 1", "int32 boxes", "negative size", "v5 boxes [6, 5]", "v5 two outputs"))
def test_bad_models_fail_at_prepare(change):
    model, feeds = _bad(**change)
    op = change.get("op", "NON_MAX_SUPPRESSION_V4")
    error = numlite_error(model, feeds)
    assert error is not None and f"Node number 0 ({op}) failed to prepare." in error
    assert litert_error(model, feeds) is not None
