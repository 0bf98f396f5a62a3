"""CONV_2D and CONV_3D, float32: im2col as a strided view + one sgemm, then bias and activation.

Shapes: CONV_2D input ``[N, H, W, Cin]``, filter ``[Cout, kh, kw, Cin / groups]`` with
``groups = Cin / filter_in`` (grouped convolution: output channels ``[g * Cout/groups,
(g+1) * Cout/groups)`` see input channels ``[g * Cin/groups, ...)``); CONV_3D input
``[N, D, H, W, Cin]``, filter ``[kd, kh, kw, Cin, Cout]``. Bias ``[Cout]``: CONV_3D's is
optional; LiteRT's float CONV_2D requires one (two inputs fail with ``has_bias was not
true.``, an absent ``-1`` bias with ``Tensor at index 2 was optional but was expected``) and
numlite refuses those models the same way. Padding, strides and dilations follow padding.h
(see windows.py).

A constant filter is turned once at prepare into the ``[k... * Cin, Cout]`` matrix the
sgemm wants (a filter fed at run time is transposed on each call). ``run`` copies the
input into a zero-bordered scratch buffer kept from prepare, and the ``[N, out..., k...,
C]`` window view of it (also built at prepare) into an im2col buffer: the one copy. With a
constant filter the im2col buffer has a last column of ones and the matrix the bias as
its last row, so the sgemm adds the bias. 1x1 convolutions skip the view; very large
im2col matrices (more than 8 MB) are built and multiplied in bands of output rows so the
band stays in cache. There is no Python loop over pixels or channels.

Quantized and hybrid (int8 filter, float input) convolutions have their own kernels
(integer_conv.py, hybrid.py).
"""

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .activations import fused_activation
from .common import KernelError, options_field, row_tiling
from .registry import builtin
from .windows import (Padder, check_arity, check_float, check_rank, padding_option,
                      positive_option, spatial_plan, window_view)

#: im2col matrices above this many bytes are built band by band ...
_BAND_ABOVE = 8 << 20
#: ... in bands of about this many bytes
_BAND_BYTES = 4 << 20


def _bias_and_activation(node, bias, cout):
    """(bias spec or None, in-place activation or None) with the usual checks."""
    if bias is not None:
        check_float(node, bias, "bias")
        if int(np.prod(bias.shape, dtype=np.int64)) != cout:
            raise KernelError(f"{node.op_name}: bias has shape {list(bias.shape)}, expected "
                              f"[{cout}]")
    code = options_field(node, "fused_activation_function", 0)
    return bias, fused_activation(code, np.float32, node.op_name)


def finisher(bias_value, act, cout, rows=None):
    """``finish(r, b)``: add the bias (constant ``bias_value`` or run-time ``b``) and the
    activation in place on the freshly computed ``r``.

    With ``rows`` (r is then a contiguous array of ``rows`` rows of ``cout``) a constant
    bias is added as ``k`` copies side by side over ``r`` viewed as ``[rows / k, k * cout]``:
    broadcasting a short ``[cout]`` vector keeps numpy's inner loop ``cout`` long, which is
    several times slower on the few-channel layers of small networks.
    """
    add = np.add
    if bias_value is not None:
        b0 = np.ascontiguousarray(bias_value, dtype=np.float32).reshape(cout)
        k = row_tiling(rows, cout)
        if k > 1:
            tiled, wide = np.tile(b0, k), (rows // k, k * cout)

            def finish(r, _b=None):
                view = r.reshape(wide)
                add(view, tiled, out=view)
                return r if act is None else act(r)
        else:
            def finish(r, _b=None):
                add(r, b0, out=r)
                return r if act is None else act(r)
    else:
        def finish(r, b=None):
            if b is not None:
                add(r, b.reshape(cout), out=r)
            return r if act is None else act(r)
    return finish


def _matrix_view(matrix, lead, tail):
    """``matrix[:, :prod(tail)]`` as an array of shape ``lead + tail`` (a view: its rows
    split into ``lead``, its first columns into ``tail``)."""
    def split(shape, stride):
        strides = []
        for d in reversed(shape):
            strides.append(stride)
            stride *= d
        return tuple(reversed(strides))
    row, col = matrix.strides
    return as_strided(matrix, tuple(lead) + tuple(tail), split(lead, row) + split(tail, col))


def _bands(batch, outer, row_bytes):
    """(n, start, stop) bands over the batch and the first output dimension, or None for
    one whole matmul."""
    if batch * outer * row_bytes <= _BAND_ABOVE or outer <= 1:
        return None
    rows = max(1, _BAND_BYTES // max(row_bytes, 1))
    return tuple((n, start, min(start + rows, outer))
                 for n in range(batch) for start in range(0, outer, rows))


def conv_runner(node, x_shape, kernel, strides, dilations, padding, cin, cout, groups,
                matrix_of, const_matrix, bias_value, act):
    """The run function of an N-d convolution (N = len(kernel)) and its output shape.

    ``matrix_of(filter)`` gives the ``[groups, k... * cin/groups, cout/groups]`` matrices of
    a filter; ``const_matrix`` is that of the constant filter (or None); ``bias_value`` the
    constant bias (or None: fed at run time, or absent); ``act`` the in-place activation.
    """
    sizes = x_shape[1:-1]
    outs, pads = spatial_plan(node, sizes, kernel, strides, dilations, padding)
    batch = x_shape[0]
    out_shape = (batch,) + outs + (cout,)
    nd = len(kernel)
    taps = int(np.prod(kernel))
    depth = taps * (cin // groups)
    m_rows = batch * int(np.prod(outs))
    finish = finisher(bias_value, act, cout, m_rows)

    if m_rows == 0 or cout == 0:
        def run_empty(x, _w=None, _b=None):
            return np.zeros(out_shape, np.float32)
        return run_empty, out_shape
    if depth == 0:
        def run_no_depth(x, w=None, b=None):
            return finish(np.zeros(out_shape, np.float32), b)
        return run_no_depth, out_shape

    matmul, dot = np.matmul, np.dot       # np.dot: less call overhead for 2-D products
    pointwise = taps == 1 and not any(b or a for b, a in pads)
    padder = Padder(x_shape, pads)

    if groups == 1:
        if pointwise:
            if all(s == 1 for s in strides):
                def columns(x):
                    return x.reshape(m_rows, cin)
            else:
                # a 1x1 window at (o * stride) for o < out: a strided slice
                index = (slice(None),) + tuple(slice(0, (o - 1) * s + 1, s)
                                               for o, s in zip(outs, strides)) + (slice(None),)

                def columns(x):
                    return x[index].reshape(m_rows, cin)
            bands = None
        else:
            def columns(x):
                return window_view(padder(x), outs, kernel, strides, dilations).reshape(
                    m_rows, depth)
            bands = _bands(batch, outs[0], int(np.prod(outs[1:])) * depth * 4)
            if bands is None and const_matrix is not None:
                return _im2col_runner(x_shape, outs, pads, kernel, strides, dilations, cin,
                                      const_matrix[0], bias_value, act), out_shape

        if bands is None:
            def run(x, w=None, b=None):
                wm = const_matrix if w is None or const_matrix is not None else matrix_of(w)
                r = dot(columns(x), wm[0])
                return finish(r, b).reshape(out_shape)
        else:
            inner = int(np.prod(outs[1:]))

            def run(x, w=None, b=None):
                wm = (const_matrix if w is None or const_matrix is not None
                      else matrix_of(w))[0]
                view = window_view(padder(x), outs, kernel, strides, dilations)
                r = np.empty(out_shape, np.float32)
                for n, start, stop in bands:
                    matmul(view[n, start:stop].reshape((stop - start) * inner, depth), wm,
                           out=r[n, start:stop].reshape((stop - start) * inner, cout))
                return finish(r, b)
        return run, out_shape

    # grouped: a [groups, M, k * cin/groups] view, one batched matmul, channels regrouped
    cg = cin // groups

    def run_grouped(x, w=None, b=None):
        wm = const_matrix if w is None or const_matrix is not None else matrix_of(w)
        p = padder(x)
        st = p.strides
        shape = (groups, batch) + outs + tuple(kernel) + (cg,)
        strides_ = (cg * st[-1], st[0]) + tuple(st[1 + i] * strides[i] for i in range(nd)) \
            + tuple(st[1 + i] * dilations[i] for i in range(nd)) + (st[-1],)
        view = as_strided(p, shape, strides_, writeable=False)
        r = matmul(view.reshape(groups, m_rows, depth), wm)        # [G, M, og]
        r = np.ascontiguousarray(r.transpose(1, 0, 2)).reshape(m_rows, cout)
        return finish(r, b).reshape(out_shape)
    return run_grouped, out_shape


def _im2col_runner(x_shape, outs, pads, kernel, strides, dilations, cin, matrix, bias_value,
                   act):
    """Constant filter, one sgemm: the window view of a padded scratch buffer (both built
    at prepare) is copied into an im2col buffer whose extra last column of ones meets the
    bias as the matrix's last row, so the sgemm adds the bias too."""
    padder = Padder(x_shape, pads, copy=True)
    view = window_view(padder.buffer, outs, kernel, strides, dilations)
    m_rows, depth = int(np.prod(view.shape[:1 + len(outs)])), matrix.shape[0]
    fold = bias_value is not None
    cols = np.ones((m_rows, depth + fold), np.float32)
    target = _matrix_view(cols, view.shape[:1 + len(outs)], view.shape[1 + len(outs):])
    if fold:
        bias_row = np.asarray(bias_value, np.float32).reshape(1, -1)
        matrix = np.ascontiguousarray(np.concatenate([matrix, bias_row]))
    out_shape = view.shape[:1 + len(outs)] + (matrix.shape[1],)
    dot, copyto, add = np.dot, np.copyto, np.add

    def run(x, _w=None, b=None):
        padder(x)
        copyto(target, view)
        r = dot(cols, matrix)
        if b is not None and not fold:
            add(r, b.reshape(-1), out=r)
        return (r if act is None else act(r)).reshape(out_shape)
    return run


def _static(node, spec):
    return None if spec is None or spec.value is None else np.asarray(spec.value, np.float32)


@builtin("CONV_2D")
def prepare_conv_2d(node):
    check_arity(node, (2, 3))
    if len(node.inputs) == 2:
        raise KernelError("has_bias was not true.")     # LiteRT's float CONV_2D needs a bias
    x, f, bias = node.inputs
    if x is None or f is None or bias is None:
        raise KernelError(f"Tensor at index {[x, f, bias].index(None)} was optional but was "
                          "expected")
    for spec, what in ((x, "input"), (f, "filter"), (node.outputs[0], "output")):
        check_float(node, spec, what)
    check_rank(node, x, 4)
    check_rank(node, f, 4, "filter")
    cout, kh, kw, fin = f.shape
    cin = x.shape[3]
    if fin <= 0 or cin % fin:
        raise KernelError(f"CONV_2D: input channels {cin} are not a multiple of the filter's "
                          f"input channels {fin}")
    groups = cin // fin
    if groups > 1 and cout % groups:
        raise KernelError(f"CONV_2D: output channels {cout} are not a multiple of the "
                          f"{groups} groups")
    if kh <= 0 or kw <= 0:
        raise KernelError(f"CONV_2D: empty filter of shape {list(f.shape)}")
    bias, act = _bias_and_activation(node, bias, cout)
    strides = (positive_option(node, "stride_h"), positive_option(node, "stride_w"))
    dilations = (positive_option(node, "dilation_h_factor"),
                 positive_option(node, "dilation_w_factor"))
    og = cout // groups if groups else 0

    def matrix_of(w):
        # [cout, kh, kw, fin] -> [groups, kh * kw * fin, og]
        return np.ascontiguousarray(
            np.asarray(w, np.float32).reshape(groups, og, kh * kw * fin).transpose(0, 2, 1))

    const = _static(node, f)
    run, shape = conv_runner(node, x.shape, (kh, kw), strides, dilations, padding_option(node),
                             cin, cout, groups, matrix_of,
                             None if const is None else matrix_of(const), _static(node, bias),
                             act)
    return run, [shape]


@builtin("CONV_3D")
def prepare_conv_3d(node):
    check_arity(node, (2, 3))
    x, f = node.inputs[0], node.inputs[1]
    bias = node.inputs[2] if len(node.inputs) == 3 else None
    if x is None or f is None:
        raise KernelError("CONV_3D: missing input or filter")
    for spec, what in ((x, "input"), (f, "filter"), (node.outputs[0], "output")):
        check_float(node, spec, what)
    check_rank(node, x, 5)
    check_rank(node, f, 5, "filter")
    kd, kh, kw, fin, cout = f.shape
    cin = x.shape[4]
    if fin != cin:
        raise KernelError(f"CONV_3D: input channels {cin} do not match the filter's input "
                          f"channels {fin}")
    if min(kd, kh, kw) <= 0:
        raise KernelError(f"CONV_3D: empty filter of shape {list(f.shape)}")
    bias, act = _bias_and_activation(node, bias, cout)
    strides = tuple(positive_option(node, f"stride_{a}") for a in "dhw")
    dilations = tuple(positive_option(node, f"dilation_{a}_factor") for a in "dhw")

    def matrix_of(w):
        # [kd, kh, kw, cin, cout] is already the [k * cin, cout] matrix
        return np.ascontiguousarray(np.asarray(w, np.float32).reshape(1, -1, cout))

    const = _static(node, f)
    run, shape = conv_runner(node, x.shape, (kd, kh, kw), strides, dilations,
                             padding_option(node), cin, cout, 1, matrix_of,
                             None if const is None else matrix_of(const), _static(node, bias),
                             act)
    return run, [shape]
