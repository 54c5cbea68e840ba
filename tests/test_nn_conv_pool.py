"""Convolutions, pooling, fold/unfold, pad and interpolate against NumPy oracles (direct
loops over windows), gradcheck in float64, PyTorch's errors.

Tolerances: float64 results agree with the float64 oracle to 1e-10 (sums of at most a few
hundred products); float32 to rtol 1e-4 / atol 1e-5 (the same sums in float32).
"""

import numpy as np
import pytest

import rgrad
from rgrad import nn
import rgrad.nn.functional as F
from conftest import to_np

FLOATS = [(rgrad.float32, np.float32, 1e-4), (rgrad.float64, np.float64, 1e-10)]


def conv2d_oracle(x, w, b, stride, padding, dilation, groups):
    n, c, h, wd = x.shape
    oc, cg, kh, kw = w.shape
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (padding[0], padding[0]), (padding[1], padding[1])))
    oh = (h + 2 * padding[0] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (wd + 2 * padding[1] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((n, oc, oh, ow))
    opg = oc // groups
    for o in range(oc):
        g = o // opg
        for i in range(kh):
            for j in range(kw):
                patch = xp[:, g * cg:(g + 1) * cg, i * dilation[0]:i * dilation[0] + stride[0] * (oh - 1) + 1:stride[0],
                           j * dilation[1]:j * dilation[1] + stride[1] * (ow - 1) + 1:stride[1]]
                out[:, o] += np.einsum("nchw,c->nhw", patch, w[o, :, i, j].astype(np.float64))
    if b is not None:
        out += b.reshape(1, -1, 1, 1)
    return out


def conv_transpose2d_oracle(x, w, b, stride, padding, output_padding, groups, dilation):
    n, c, h, wd = x.shape
    _, ocg, kh, kw = w.shape
    oc = ocg * groups
    oh = (h - 1) * stride[0] - 2 * padding[0] + dilation[0] * (kh - 1) + output_padding[0] + 1
    ow = (wd - 1) * stride[1] - 2 * padding[1] + dilation[1] * (kw - 1) + output_padding[1] + 1
    full = np.zeros((n, oc, oh + 2 * padding[0] + stride[0], ow + 2 * padding[1] + stride[1]))
    cg = c // groups
    for ci in range(c):
        g = ci // cg
        for y in range(h):
            for xx in range(wd):
                for i in range(kh):
                    for j in range(kw):
                        full[:, g * ocg:(g + 1) * ocg, y * stride[0] + i * dilation[0], xx * stride[1] + j * dilation[1]] += \
                            x[:, ci, y, xx, None] * w[ci, :, i, j][None]
    out = full[:, :, padding[0]:padding[0] + oh, padding[1]:padding[1] + ow]
    if b is not None:
        out = out + b.reshape(1, -1, 1, 1)
    return out


CONV_CASES = [
    dict(stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1),
    dict(stride=(2, 1), padding=(1, 2), dilation=(1, 1), groups=1),
    dict(stride=(1, 2), padding=(2, 1), dilation=(2, 1), groups=1),
    dict(stride=(1, 1), padding=(1, 1), dilation=(1, 1), groups=2),
]


@pytest.mark.parametrize("case", CONV_CASES)
@pytest.mark.parametrize("dtype,npdt,tol", FLOATS)
def test_conv2d_matches_direct_loops(case, dtype, npdt, tol):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 4, 7, 6)).astype(npdt)
    w = rng.standard_normal((6, 4 // case["groups"], 3, 2)).astype(npdt)
    b = rng.standard_normal(6).astype(npdt)
    got = F.conv2d(rgrad.tensor(x), rgrad.tensor(w), rgrad.tensor(b), **case)
    assert got.dtype == dtype
    np.testing.assert_allclose(to_np(got), conv2d_oracle(x, w, b, **case), rtol=tol, atol=tol)


@pytest.mark.parametrize("case", CONV_CASES[:3] + [dict(stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=3)])
def test_conv2d_gradcheck(case):
    rng = np.random.default_rng(2)
    cin = 3 if case["groups"] == 3 else 2
    x = rgrad.tensor(rng.standard_normal((2, cin, 5, 5)), requires_grad=True)
    w = rgrad.tensor(rng.standard_normal((3, cin // case["groups"], 2, 3)), requires_grad=True)
    b = rgrad.tensor(rng.standard_normal(3), requires_grad=True)
    assert rgrad.autograd.gradcheck(lambda a, k, c: F.conv2d(a, k, c, **case), (x, w, b))


def test_conv2d_padding_same_valid_and_modes():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1, 2, 6, 5))
    w = rng.standard_normal((3, 2, 4, 3))
    got = F.conv2d(rgrad.tensor(x), rgrad.tensor(w), padding="same")
    assert got.shape == (1, 3, 6, 5)
    # 'same' with an even kernel: 1 before, 2 after along the height (PyTorch's split)
    xp = np.pad(x, ((0, 0), (0, 0), (1, 2), (1, 1)))
    np.testing.assert_allclose(to_np(got), conv2d_oracle(xp, w, None, (1, 1), (0, 0), (1, 1), 1), rtol=1e-10)
    assert F.conv2d(rgrad.tensor(x), rgrad.tensor(w), padding="valid").shape == (1, 3, 3, 3)
    for mode in ["reflect", "replicate", "circular"]:
        conv = nn.Conv2d(2, 3, 3, padding=1, padding_mode=mode, dtype=rgrad.float64)
        npmode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode]
        xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)), mode=npmode)
        exp = conv2d_oracle(xp, to_np(conv.weight), to_np(conv.bias), (1, 1), (0, 0), (1, 1), 1)
        np.testing.assert_allclose(to_np(conv(rgrad.tensor(x))), exp, rtol=1e-10)


def test_conv1d_and_unbatched():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 3, 9))
    w = rng.standard_normal((4, 3, 3))
    got = F.conv1d(rgrad.tensor(x), rgrad.tensor(w), stride=2, padding=1, dilation=2)
    exp = conv2d_oracle(x[:, :, None], w[:, :, None], None, (1, 2), (0, 1), (1, 2), 1)[:, :, 0]
    np.testing.assert_allclose(to_np(got), exp, rtol=1e-10)
    got = F.conv2d(rgrad.tensor(x[0][:, None]).squeeze(1).unsqueeze(1).squeeze(1).reshape(3, 1, 9),
                   rgrad.tensor(w[:, :, None]))
    assert got.shape == (4, 1, 7)
    xr = rgrad.tensor(x, requires_grad=True)
    wr = rgrad.tensor(w, requires_grad=True)
    assert rgrad.autograd.gradcheck(lambda a, k: F.conv1d(a, k, padding="same"), (xr, wr))


def test_conv_errors_match_pytorch():
    with pytest.raises(RuntimeError, match=r"Given groups=1, weight of size \[4, 2, 3, 3\], expected input\[1, 3, 5, 5\] to have 2 channels, but got 3 channels instead"):
        F.conv2d(rgrad.randn(1, 3, 5, 5), rgrad.randn(4, 2, 3, 3))
    with pytest.raises(RuntimeError, match=r"Calculated padded input size per channel: \(2 x 2\). Kernel size: \(3 x 3\)"):
        F.conv2d(rgrad.randn(1, 3, 2, 2), rgrad.randn(4, 3, 3, 3))
    with pytest.raises(RuntimeError, match=r"Expected 3D \(unbatched\) or 4D \(batched\) input to conv2d, but got input of size: \[5, 5\]"):
        F.conv2d(rgrad.randn(5, 5), rgrad.randn(4, 3, 3, 3))
    with pytest.raises(RuntimeError, match="padding='same' is not supported for strided convolutions"):
        F.conv2d(rgrad.randn(1, 1, 5, 5), rgrad.randn(1, 1, 3, 3), stride=2, padding="same")
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(RuntimeError, match=r"Input type \(Double\) and weight type \(Float\) should be the same"):
        F.conv2d(rgrad.randn(1, 1, 4, 4, dtype=rgrad.float64), rgrad.randn(1, 1, 3, 3))


@pytest.mark.parametrize("stride,padding,output_padding,dilation,groups", [
    ((1, 1), (0, 0), (0, 0), (1, 1), 1),
    ((2, 2), (1, 0), (1, 0), (1, 1), 1),
    ((2, 1), (0, 1), (0, 0), (2, 1), 2),
])
def test_conv_transpose2d(stride, padding, output_padding, dilation, groups):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 4, 3, 4))
    w = rng.standard_normal((4, 3, 3, 2))
    b = rng.standard_normal(3 * groups)
    got = F.conv_transpose2d(rgrad.tensor(x), rgrad.tensor(w), rgrad.tensor(b), stride, padding, output_padding, groups, dilation)
    exp = conv_transpose2d_oracle(x, w, b, stride, padding, output_padding, groups, dilation)
    np.testing.assert_allclose(to_np(got), exp, rtol=1e-10, atol=1e-12)
    xr, wr = rgrad.tensor(x[:1, :, :2, :3], requires_grad=True), rgrad.tensor(w, requires_grad=True)
    assert rgrad.autograd.gradcheck(
        lambda a, k: F.conv_transpose2d(a, k, None, stride, padding, output_padding, groups, dilation), (xr, wr))
    # ConvTranspose2d(output_size=...) picks the output_padding
    layer = nn.ConvTranspose2d(4, 2, 3, stride=2, dtype=rgrad.float64)
    assert layer(rgrad.tensor(x), output_size=(8, 10)).shape == (2, 2, 8, 10)


def test_unfold_fold_are_adjoint_and_match_windows():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 3, 5, 6))
    cols = F.unfold(rgrad.tensor(x), (2, 3), dilation=(1, 2), padding=1, stride=(2, 1))
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    win = np.lib.stride_tricks.sliding_window_view(xp, (2, 5), axis=(2, 3))[:, :, ::2, ::1, :, ::2]
    exp = win.transpose(0, 1, 4, 5, 2, 3).reshape(2, 3 * 6, -1)
    np.testing.assert_allclose(to_np(cols), exp, rtol=0, atol=0)
    # <unfold(x), y> == <x, fold(y)>: fold is unfold's adjoint
    y = rng.standard_normal(exp.shape)
    back = F.fold(rgrad.tensor(y), (5, 6), (2, 3), dilation=(1, 2), padding=1, stride=(2, 1))
    np.testing.assert_allclose((exp * y).sum(), (x * to_np(back)).sum(), rtol=1e-10)
    xr, yr = rgrad.tensor(x, requires_grad=True), rgrad.tensor(y, requires_grad=True)
    assert rgrad.autograd.gradcheck(lambda a: F.unfold(a, (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)), (xr,))
    assert rgrad.autograd.gradcheck(lambda a: F.fold(a, (5, 6), (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)), (yr,))
    with pytest.raises(RuntimeError, match="expected size of input's dimension 2 to match the calculated number of sliding blocks"):
        F.fold(rgrad.randn(1, 4, 5), (3, 3), 2)


def pool_windows(x, k, s, p, d, fill):
    xp = np.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])), constant_values=fill)
    eff = (d[0] * (k[0] - 1) + 1, d[1] * (k[1] - 1) + 1)
    win = np.lib.stride_tricks.sliding_window_view(xp, eff, axis=(2, 3))[:, :, ::s[0], ::s[1], ::d[0], ::d[1]]
    return win


@pytest.mark.parametrize("dtype,npdt,tol", FLOATS)
@pytest.mark.parametrize("k,s,p,d", [((2, 2), (2, 2), (0, 0), (1, 1)), ((3, 2), (1, 2), (1, 1), (1, 1)), ((2, 2), (1, 1), (0, 1), (2, 1))])
def test_max_pool2d_values_indices_and_grad(dtype, npdt, tol, k, s, p, d):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 3, 7, 6)).astype(npdt)
    vals, idx = F.max_pool2d(rgrad.tensor(x), k, s, p, d, return_indices=True)
    win = pool_windows(x, k, s, p, d, -np.inf)
    np.testing.assert_array_equal(to_np(vals), win.max((-2, -1)))
    # the indices point at the maxima in the unpadded plane
    flat = x.reshape(2, 3, -1)
    np.testing.assert_array_equal(np.take_along_axis(flat, to_np(idx).reshape(2, 3, -1), 2).reshape(vals.shape), to_np(vals))
    if dtype == rgrad.float64:
        xr = rgrad.tensor(x, requires_grad=True)
        assert rgrad.autograd.gradcheck(lambda a: F.max_pool2d(a, k, s, p, d), (xr,))


def test_max_pool_ceil_mode_1d_nan_and_errors():
    x = rgrad.arange(10.0).reshape(1, 1, 10)
    assert F.max_pool1d(x, 3, 3, ceil_mode=True).tolist() == [[[2.0, 5.0, 8.0, 9.0]]]
    assert F.max_pool1d(x, 3, 3).tolist() == [[[2.0, 5.0, 8.0]]]
    y = rgrad.tensor([[[[1.0, float("nan")], [3.0, 2.0]]]])
    assert np.isnan(F.max_pool2d(y, 2).item())
    with pytest.raises(RuntimeError, match=r"Output size is too small"):
        F.max_pool2d(rgrad.randn(1, 1, 2, 2), 3)
    with pytest.raises(RuntimeError, match="pad should be at most half of effective kernel size"):
        F.max_pool2d(rgrad.randn(1, 1, 5, 5), 2, padding=2)


@pytest.mark.parametrize("count_include_pad", [True, False])
@pytest.mark.parametrize("ceil_mode", [False, True])
def test_avg_pool2d(count_include_pad, ceil_mode):
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, 2, 7, 5))
    k, s, p = (3, 2), (2, 2), (1, 1)
    got = F.avg_pool2d(rgrad.tensor(x), k, s, p, ceil_mode=ceil_mode, count_include_pad=count_include_pad)
    # oracle: explicit windows with PyTorch's divisor rule
    oh, ow = got.shape[2], got.shape[3]
    exp = np.zeros((2, 2, oh, ow))
    for i in range(oh):
        for j in range(ow):
            hs, ws = i * s[0] - p[0], j * s[1] - p[1]
            he, we = min(hs + k[0], 7 + p[0]), min(ws + k[1], 5 + p[1])
            pool = (he - hs) * (we - ws)
            hs2, ws2, he2, we2 = max(hs, 0), max(ws, 0), min(he, 7), min(we, 5)
            total = x[:, :, hs2:he2, ws2:we2].sum((-2, -1))
            exp[:, :, i, j] = total / (pool if count_include_pad else (he2 - hs2) * (we2 - ws2))
    np.testing.assert_allclose(to_np(got), exp, rtol=1e-10)
    xr = rgrad.tensor(x, requires_grad=True)
    assert rgrad.autograd.gradcheck(lambda a: F.avg_pool2d(a, k, s, p, ceil_mode, count_include_pad), (xr,))
    assert F.avg_pool1d(rgrad.arange(6.0).reshape(1, 1, 6), 2).tolist() == [[[0.5, 2.5, 4.5]]]


@pytest.mark.parametrize("out", [(1, 1), (2, 3), (3, 2), (5, 4)])
def test_adaptive_avg_pool2d(out):
    rng = np.random.default_rng(9)
    x = rng.standard_normal((2, 3, 5, 4))
    got = F.adaptive_avg_pool2d(rgrad.tensor(x), out)
    exp = np.zeros((2, 3) + out)
    for i in range(out[0]):
        h0, h1 = (i * 5) // out[0], -((-(i + 1) * 5) // out[0])
        for j in range(out[1]):
            w0, w1 = (j * 4) // out[1], -((-(j + 1) * 4) // out[1])
            exp[:, :, i, j] = x[:, :, h0:h1, w0:w1].mean((-2, -1))
    np.testing.assert_allclose(to_np(got), exp, rtol=1e-10)
    xr = rgrad.tensor(x, requires_grad=True)
    assert rgrad.autograd.gradcheck(lambda a: F.adaptive_avg_pool2d(a, out), (xr,))
    assert nn.AdaptiveAvgPool2d((None, 2))(rgrad.tensor(x)).shape == (2, 3, 5, 2)


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_pad_modes(mode):
    rng = np.random.default_rng(10)
    x = rng.standard_normal((2, 3, 4, 5))
    pads = (2, 1, 1, 3)
    got = F.pad(rgrad.tensor(x), pads, mode=mode, **({"value": 1.5} if mode == "constant" else {}))
    npmode = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode]
    kw = {"constant_values": 1.5} if mode == "constant" else {}
    exp = np.pad(x, ((0, 0), (0, 0), (1, 3), (2, 1)), mode=npmode, **kw)
    np.testing.assert_allclose(to_np(got), exp, rtol=0)
    xr = rgrad.tensor(x, requires_grad=True)
    assert rgrad.autograd.gradcheck(lambda a: F.pad(a, pads, mode=mode), (xr,))


def test_pad_negative_crops_and_errors():
    x = rgrad.arange(12.0).reshape(3, 4)
    assert F.pad(x, (-1, 1)).tolist() == [[1.0, 2.0, 3.0, 0.0], [5.0, 6.0, 7.0, 0.0], [9.0, 10.0, 11.0, 0.0]]
    with pytest.raises(RuntimeError, match="Padding length must be divisible by 2"):
        F.pad(x, (1, 2, 3))
    with pytest.raises(RuntimeError, match="Padding size should be less than the corresponding input dimension"):
        F.pad(x.unsqueeze(0), (4, 4), mode="reflect")


def test_interpolate_nearest_and_bilinear():
    rng = np.random.default_rng(11)
    x = rng.standard_normal((1, 2, 3, 4))
    got = F.interpolate(rgrad.tensor(x), scale_factor=2, mode="nearest")
    np.testing.assert_array_equal(to_np(got), x.repeat(2, axis=2).repeat(2, axis=3))
    got = F.interpolate(rgrad.tensor(x), size=(5, 7), mode="bilinear", align_corners=True)
    # align_corners=True: the corners map onto each other exactly
    np.testing.assert_allclose(to_np(got)[..., 0, 0], x[..., 0, 0], rtol=1e-12)
    np.testing.assert_allclose(to_np(got)[..., -1, -1], x[..., -1, -1], rtol=1e-12)
    # separable linear interpolation along the width, by hand, for align_corners=False
    g = to_np(F.interpolate(rgrad.tensor(x), size=(3, 8), mode="bilinear"))
    src = np.maximum((np.arange(8) + 0.5) * 4 / 8 - 0.5, 0)
    i0 = np.floor(src).astype(int)
    i1 = np.minimum(i0 + 1, 3)
    lam = src - i0
    np.testing.assert_allclose(g, x[..., i0] * (1 - lam) + x[..., i1] * lam, rtol=1e-12)
    xr = rgrad.tensor(x, requires_grad=True)
    assert rgrad.autograd.gradcheck(lambda a: F.interpolate(a, size=(4, 6), mode="bilinear"), (xr,))
    with pytest.raises(ValueError, match="either size or scale_factor should be defined"):
        F.interpolate(rgrad.tensor(x))


def test_conv_layers_default_init_and_repr():
    rgrad.manual_seed(0)
    conv = nn.Conv2d(3, 8, (3, 5), stride=2, padding=1, bias=False)
    bound = 1 / np.sqrt(3 * 3 * 5)  # kaiming_uniform(a=sqrt(5)) = U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    w = to_np(conv.weight)
    assert w.shape == (8, 3, 3, 5) and np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    assert repr(conv) == "Conv2d(3, 8, kernel_size=(3, 5), stride=(2, 2), padding=(1, 1), bias=False)"
    assert repr(nn.MaxPool2d(2)) == "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
