//! Element-wise kernels (map.wgsl) against rgrad's CPU kernels: every UnaryOp and BinaryOp on
//! every dtype it takes, strided / reversed / broadcast operands, scalar operands, in-place
//! aliasing, where / clamp / masked_fill, and the float64 math library against float64 libm.

use super::util::*;
use rgrad::gpu::kernels::map;
use rgrad::gpu::{self, GpuBuffer};
use rgrad::kinds::{BinaryOp, UnaryOp};
use rgrad::{DType, Layout, Scalar, Tensor};

/// Interesting float inputs: specials, tiny, huge, and a seeded spread.
fn float_inputs(seed: u64) -> Vec<f64> {
    let mut v = vec![0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, 3.0, -3.5, 1e-30, -1e-30, 1e30, -1e30, 88.0, -100.0, 700.0, f64::INFINITY, f64::NEG_INFINITY, f64::NAN];
    let mut r = Rng::new(seed);
    v.extend(r.vec(100, -5.0, 5.0));
    v.extend(r.vec(40, -200.0, 200.0));
    v.extend(r.vec(20, -1.0, 1.0).iter().map(|x| x * 1e-6));
    v
}
fn int_inputs(seed: u64) -> Vec<f64> {
    let mut v = vec![0.0, 1.0, -1.0, 2.0, -2.0, 7.0, -7.0, 100.0, 2147483647.0, -2147483648.0];
    let mut r = Rng::new(seed);
    v.extend(r.vec(60, -1000.0, 1000.0).iter().map(|x| x.trunc()));
    v
}

fn tensor_of(v: &[f64], d: DType) -> Tensor {
    Tensor::from_slice(v, &[v.len()]).unwrap().to_dtype(d).unwrap()
}

/// Runs a unary kernel on `x` (read through a reversed view, so strides are exercised).
fn gpu_unary(op: UnaryOp, x: &Tensor) -> Result<Tensor, rgrad::Error> {
    let d = x.dtype();
    let n = x.numel();
    let xb = upload_tensor(x);
    let rev = x.layout().slice(0, n as isize - 1, n, -1);
    let out_d = if op.is_bool_output() { DType::Bool } else { d };
    let out = GpuBuffer::new((n * 8).max(8) as u64)?;
    let ol = Layout::contiguous(&[n]);
    map::unary(op, d, &xb, &rev, &out, &ol)?;
    let got = read_tensor(&out, &ol, out_d);
    // Undo the reversal so results line up with x.
    Ok(Tensor::from_parts(got.storage().clone(), got.layout().slice(0, n as isize - 1, n, -1), out_d).contiguous().unwrap())
}

fn round_to(v: f64, d: DType) -> f64 {
    if d == DType::F32 { v as f32 as f64 } else { v }
}

/// `op(x)` by Rust's std in float64, for the ops std has.
fn std_reference(op: UnaryOp, x: f64) -> Option<f64> {
    Some(match op {
        UnaryOp::Exp => x.exp(),
        UnaryOp::Exp2 => x.exp2(),
        UnaryOp::Expm1 => x.exp_m1(),
        UnaryOp::Log => x.ln(),
        UnaryOp::Log2 => x.log2(),
        UnaryOp::Log10 => x.log10(),
        UnaryOp::Log1p => x.ln_1p(),
        UnaryOp::Sqrt => x.sqrt(),
        UnaryOp::Rsqrt => 1.0 / x.sqrt(),
        UnaryOp::Reciprocal => 1.0 / x,
        UnaryOp::Sin => x.sin(),
        UnaryOp::Cos => x.cos(),
        UnaryOp::Tan => x.tan(),
        UnaryOp::Asin => x.asin(),
        UnaryOp::Acos => x.acos(),
        UnaryOp::Atan => x.atan(),
        UnaryOp::Sinh => x.sinh(),
        UnaryOp::Cosh => x.cosh(),
        UnaryOp::Tanh => x.tanh(),
        UnaryOp::Asinh => x.asinh(),
        UnaryOp::Acosh => x.acosh(),
        UnaryOp::Atanh => x.atanh(),
        _ => return None,
    })
}

fn ulps(a: f64, b: f64, d: DType) -> f64 {
    if a == b || (a.is_nan() && b.is_nan()) {
        return 0.0;
    }
    if a.is_nan() || b.is_nan() || a.is_infinite() || b.is_infinite() {
        return f64::INFINITY;
    }
    if d == DType::F32 {
        ((a as f32).to_bits() as i64 - (b as f32).to_bits() as i64).unsigned_abs() as f64
    } else {
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs() as f64
    }
}

/// Ops whose results are exact (bit-identical to the CPU kernel's) in every float dtype.
fn exact_float(op: UnaryOp) -> bool {
    matches!(
        op,
        UnaryOp::Neg
            | UnaryOp::Abs
            | UnaryOp::Sign
            | UnaryOp::Square
            | UnaryOp::Relu
            | UnaryOp::Floor
            | UnaryOp::Ceil
            | UnaryOp::Round
            | UnaryOp::Trunc
            | UnaryOp::Frac
            | UnaryOp::Clamp { .. }
            | UnaryOp::NanToNum { .. }
            | UnaryOp::IsNan
            | UnaryOp::IsInf
            | UnaryOp::IsFinite
            | UnaryOp::IsPosInf
            | UnaryOp::IsNegInf
            | UnaryOp::Signbit
            | UnaryOp::LogicalNot
    )
}

fn float_unary_ops() -> Vec<UnaryOp> {
    rgrad::gpu::kernels::ops_wgsl::UNARY_OPS
        .iter()
        .map(|(_, o)| match o {
            UnaryOp::Clamp { .. } => UnaryOp::Clamp { min: Some(-2.0), max: Some(3.0) },
            UnaryOp::NanToNum { .. } => UnaryOp::NanToNum { nan: 1.5, posinf: None, neginf: Some(-7.0) },
            UnaryOp::RoundDecimals(_) => UnaryOp::RoundDecimals(2),
            UnaryOp::Softplus { .. } => UnaryOp::Softplus { beta: 2.0, threshold: 15.0 },
            o => *o,
        })
        .filter(|o| !matches!(o, UnaryOp::BitNot))
        .collect()
}

#[test]
fn unary_float_ops_match_cpu() {
    let Some(_gpu) = gpu() else {
        return;
    };
    for d in [DType::F32, DType::F64] {
        if d == DType::F64 && !has_f64() {
            continue;
        }
        let x = tensor_of(&float_inputs(7), d);
        for op in float_unary_ops() {
            let got = gpu_unary(op, &x).unwrap_or_else(|e| panic!("{op:?} {d}: {e}"));
            if exact_float(op) {
                assert_same(&got, &x.unary(op).unwrap());
                continue;
            }
            // Reference: the op in float64 by Rust's std (the platform libm) where std has it,
            // else rgrad's CPU kernel in float64 (erf is the C library's; the activations are
            // compositions), rounded to d.
            let cpu64 = values(&x.to_dtype(DType::F64).unwrap().unary(op).unwrap());
            let want: Vec<f64> = values(&x).iter().zip(&cpu64).map(|(&v, &c)| round_to(std_reference(op, v).unwrap_or(c), d)).collect();
            let g = values(&got);
            let xs = values(&x);
            // float64: the ported fdlibm functions, held to 4 ulp (the bar). float32:
            // WGSL builtins on lavapipe (LLVM's), whose error the Vulkan spec bounds loosely;
            // measured here within 8 ulp except where the result is near a zero of the function
            // (sin near pi), hence the small absolute slack; pow and the hyperbolics of large
            // arguments add log2/exp2's error (see f32_math.wgsl), hence 64 ulp for them.
            // sqrt, rsqrt, reciprocal: Vulkan does not require correct rounding (1 ulp here).
            let composite = matches!(op, UnaryOp::Sigmoid | UnaryOp::Gelu | UnaryOp::GeluTanh | UnaryOp::Silu | UnaryOp::Softplus { .. });
            let (max_ulp, atol) = match (d, op) {
                (_, UnaryOp::Sqrt | UnaryOp::Rsqrt | UnaryOp::Reciprocal) => (1.0, 0.0),
                (DType::F64, UnaryOp::RoundDecimals(_)) => (1.0, 0.0),
                // Compositions (x / (1 + exp(-x)), ...) round at each step on both sides.
                (DType::F64, _) if composite => (16.0, 0.0),
                (DType::F64, _) => (4.0, 0.0),
                (_, UnaryOp::RoundDecimals(_)) => (1.0, 0.0),
                (_, UnaryOp::Sinh | UnaryOp::Cosh | UnaryOp::Exp | UnaryOp::Exp2 | UnaryOp::Softplus { .. }) => (64.0, 0.0),
                _ => (8.0, 2e-7),
            };
            // GPUs may flush subnormal results to zero (Vulkan leaves denormals to the driver;
            // lavapipe flushes float32 ones).
            let tiny = if d == DType::F32 { f32::MIN_POSITIVE as f64 } else { f64::MIN_POSITIVE };
            for i in 0..g.len() {
                let (a, b) = (g[i], want[i]);
                let ok = ulps(a, b, d) <= max_ulp || (a - b).abs() <= atol || (b.abs() < tiny && a.abs() < tiny);
                assert!(ok, "{op:?} {d} at x={:e}: got {a:e} want {b:e} ({} ulp)", xs[i], ulps(a, b, d));
            }
        }
    }
}

#[test]
fn unary_int_and_bool_ops_match_cpu() {
    let Some(_gpu) = gpu() else {
        return;
    };
    let int_ops = [
        UnaryOp::Neg,
        UnaryOp::Abs,
        UnaryOp::Sign,
        UnaryOp::Square,
        UnaryOp::Relu,
        UnaryOp::BitNot,
        UnaryOp::Floor,
        UnaryOp::Round,
        UnaryOp::Clamp { min: Some(-5.0), max: None },
        UnaryOp::Clamp { min: Some(-5.0), max: Some(9.0) },
        UnaryOp::IsNan,
        UnaryOp::IsFinite,
        UnaryOp::Signbit,
        UnaryOp::LogicalNot,
    ];
    for d in [DType::I32, DType::I64] {
        let mut v = int_inputs(3);
        if d == DType::I64 {
            v.extend([9.0e15, -9.0e15]);
        }
        let x = tensor_of(&v, d);
        for op in int_ops {
            assert_same(&gpu_unary(op, &x).unwrap(), &x.unary(op).unwrap());
        }
    }
    let b = tensor_of(&[1.0, 0.0, 1.0, 1.0, 0.0], DType::Bool);
    // (abs and clamp of bool are refused by the ops layer, as PyTorch; their kernels are not reached)
    for op in [UnaryOp::BitNot, UnaryOp::LogicalNot, UnaryOp::IsInf, UnaryOp::IsFinite] {
        assert_same(&gpu_unary(op, &b).unwrap(), &b.unary(op).unwrap());
    }
    // An op the dtype does not have is an error, not a wrong answer.
    assert!(matches!(gpu_unary(UnaryOp::Exp, &tensor_of(&[1.0], DType::I32)), Err(rgrad::Error::NotImplemented(_))));
}

/// Runs a binary kernel with `b` broadcast along dim 0 and `a` transposed.
fn gpu_binary(op: BinaryOp, a: &Tensor, b: &Tensor) -> Result<Tensor, rgrad::Error> {
    let d = a.dtype();
    let out_d = if op.is_bool_output() { DType::Bool } else { d };
    let (ab, bb) = (upload_tensor(a), upload_tensor(b));
    let shape = a.shape().to_vec();
    let bl = b.layout().broadcast_to(&shape).unwrap();
    let out = GpuBuffer::new((a.numel() * 8).max(8) as u64)?;
    let ol = Layout::contiguous(&shape);
    map::binary(op, d, &ab, a.layout(), &bb, &bl, &out, &ol)?;
    let bytes = gpu::read(&out, &ol, out_d)?;
    let _ = bytes;
    Ok(read_tensor(&out, &ol, out_d))
}

#[test]
fn binary_ops_match_cpu_with_strides_and_broadcast() {
    let Some(_gpu) = gpu() else {
        return;
    };
    for d in dtypes() {
        let (av, bv) = if d.is_float() {
            let a = float_inputs(11);
            let mut b = float_inputs(12);
            b.truncate(a.len());
            b.rotate_left(5);
            (a, b)
        } else {
            let a = int_inputs(5);
            let mut b: Vec<f64> = int_inputs(6).iter().map(|v| if *v == 0.0 { 3.0 } else { *v % 40.0 }).collect();
            b.rotate_left(3);
            (a, b)
        };
        let n = av.len() - av.len() % 2;
        // a: a transposed (2, n/2) view; b: one row broadcast over both.
        let a = tensor_of(&av[..n], d).reshape(&[(n / 2) as isize, 2]).unwrap().transpose(0, 1).unwrap();
        let b = tensor_of(&bv[..n / 2], d);
        for &(name, op) in rgrad::gpu::kernels::ops_wgsl::BINARY_OPS {
            let cpu = a.binary(op, &b);
            // The op layer promotes some combinations (int / int, bool arithmetic) before its
            // kernel runs; the GPU kernel is the kernel, so only same-dtype results compare.
            let kernel_out = if op.is_bool_output() { DType::Bool } else { d };
            if cpu.as_ref().is_ok_and(|t| t.dtype() != kernel_out) {
                continue;
            }
            let gpu_r = gpu_binary(op, &a, &b);
            match (cpu, gpu_r) {
                (Ok(want), Ok(got)) => {
                    if d.is_float() && matches!(op, BinaryOp::Pow | BinaryOp::Atan2 | BinaryOp::Hypot) {
                        let want64 = values(&a.to_dtype(DType::F64).unwrap().binary(op, &b.to_dtype(DType::F64).unwrap()).unwrap().to_dtype(d).unwrap());
                        let g = values(&got);
                        // pow in float32 goes through exp2(y log2 x): ~2^-24 |y log2 x| relative.
                        // hypot rounds its square root and sum separately: 2 ulp.
                        let max_ulp = if d == DType::F64 { 4.0 } else if op == BinaryOp::Pow { 2048.0 } else { 8.0 };
                        for i in 0..g.len() {
                            assert!(ulps(g[i], want64[i], d) <= max_ulp || (g[i] - want64[i]).abs() < 1e-30, "{name} {d}: element {i}: {:e} vs {:e}", g[i], want64[i]);
                        }
                    } else {
                        assert_eq!(got.dtype(), want.dtype(), "{name} {d}");
                        let (g, w) = (values(&got), values(&want.contiguous().unwrap()));
                        for i in 0..g.len() {
                            assert!(g[i] == w[i] || (g[i].is_nan() && w[i].is_nan()), "{name} {d}: element {i}: got {} want {}", g[i], w[i]);
                        }
                    }
                }
                (Err(_), Err(_)) => {}
                (Ok(_), Err(e)) => panic!("{name} on {d}: the CPU computes it, the GPU said: {e}"),
                (Err(_), Ok(_)) => {} // the CPU op layer refuses some dtype combinations the kernel could run
            }
        }
    }
}

#[test]
fn integer_division_by_zero_is_reported() {
    let Some(_gpu) = gpu() else {
        return;
    };
    let a = tensor_of(&[1.0, 2.0, 3.0], DType::I64);
    let b = tensor_of(&[1.0, 0.0, 1.0], DType::I64);
    let err = gpu_binary(BinaryOp::DivFloor, &a, &b).unwrap_err();
    assert!(err.to_string().contains("ZeroDivisionError"), "{err}");
    // Reported once: the next readback is clean.
    assert!(gpu_binary(BinaryOp::Add, &a, &b).is_ok());
}

#[test]
fn scalar_operands_and_in_place() {
    let Some(_gpu) = gpu() else {
        return;
    };
    let x = tensor_of(&[1.0, -2.0, 3.5, 8.0], DType::F32);
    let xb = upload_tensor(&x);
    let l = Layout::contiguous(&[4]);
    let out = GpuBuffer::new(16).unwrap();
    map::binary_scalar(BinaryOp::Sub, DType::F32, &xb, &l, Scalar::Float(10.0), true, &out, &l).unwrap();
    assert_eq!(read_f32(&out, &l), vec![9.0, 12.0, 6.5, 2.0]);
    map::binary_scalar(BinaryOp::Mul, DType::F32, &xb, &l, Scalar::Float(0.5), false, &out, &l).unwrap();
    assert_eq!(read_f32(&out, &l), vec![0.5, -1.0, 1.75, 4.0]);
    // In place: out is x's own buffer (read through the output binding).
    map::binary_scalar(BinaryOp::Add, DType::F32, &xb, &l, Scalar::Int(1), false, &xb, &l).unwrap();
    map::binary(BinaryOp::Mul, DType::F32, &xb, &l, &xb, &l, &xb, &l).unwrap();
    assert_eq!(read_f32(&xb, &l), vec![4.0, 1.0, 20.25, 81.0]);
    // Overlapping but different views of one buffer: x[1:] = x[:-1] + x[1:] goes through a copy.
    let v = up_f32(&[1.0, 2.0, 3.0, 4.0]);
    let head = Layout { shape: [3].as_slice().into(), strides: [1isize].as_slice().into(), offset: 0 };
    let tail = Layout { shape: [3].as_slice().into(), strides: [1isize].as_slice().into(), offset: 1 };
    map::binary(BinaryOp::Add, DType::F32, &v, &head, &v, &tail, &v, &tail).unwrap();
    assert_eq!(read_f32(&v, &l), vec![1.0, 3.0, 5.0, 7.0]);
    // int64 scalars stay exact beyond 2^53.
    let i = up(&[1i64, 2], DType::I64);
    let il = Layout::contiguous(&[2]);
    map::binary_scalar(BinaryOp::Add, DType::I64, &i, &il, Scalar::Int((1 << 60) + 1), false, &i, &il).unwrap();
    assert_eq!(read_vec::<i64>(&i, &il, DType::I64), vec![(1 << 60) + 2, (1 << 60) + 3]);
}

#[test]
fn where_clamp_masked_fill() {
    let Some(_gpu) = gpu() else {
        return;
    };
    for d in dtypes() {
        let x = tensor_of(&[1.0, -5.0, 3.0, 0.0, 9.0, -1.0], d).reshape(&[2, 3]).unwrap();
        let y = tensor_of(&[7.0, 8.0, 9.0], d);
        let m = tensor_of(&[1.0, 0.0, 1.0, 0.0, 0.0, 1.0], DType::Bool).reshape(&[2, 3]).unwrap();
        let (xb, yb, mb) = (upload_tensor(&x), upload_tensor(&y), upload_tensor(&m));
        let ol = Layout::contiguous(&[2, 3]);
        let yl = y.layout().broadcast_to(&[2, 3]).unwrap();
        let out = GpuBuffer::new(64).unwrap();
        map::where_(d, &mb, m.layout(), &xb, x.layout(), &yb, &yl, &out, &ol).unwrap();
        assert_same(&read_tensor(&out, &ol, d), &m.where_t(&x, &y).unwrap());
        map::masked_fill(d, &xb, x.layout(), &mb, m.layout(), Scalar::Int(4), &out, &ol).unwrap();
        let want = m.where_t(&Tensor::full_on(&[2, 3], Scalar::Int(4), d, rgrad::Device::Cpu).unwrap(), &x).unwrap();
        assert_same(&read_tensor(&out, &ol, d), &want);
        if d != DType::Bool {
            let lo = tensor_of(&[0.0, -1.0, 2.0], d);
            let lb = upload_tensor(&lo);
            let ll = lo.layout().broadcast_to(&[2, 3]).unwrap();
            map::clamp_tensor(d, &xb, x.layout(), Some((&lb, &ll)), Some((&yb, &yl)), &out, &ol).unwrap();
            let want = x.binary(BinaryOp::Maximum, &lo).unwrap().binary(BinaryOp::Minimum, &y).unwrap();
            assert_same(&read_tensor(&out, &ol, d), &want);
        }
    }
}

#[test]
fn large_dispatches_wrap_into_a_second_dimension() {
    let Some(_gpu) = gpu() else {
        return;
    };
    // 65,535 workgroups of 256 cover 16,776,960 elements; one more element needs a second row.
    let n = 65_535 * 256 + 1000;
    let b = GpuBuffer::new((n * 4) as u64).unwrap();
    let l = Layout::contiguous(&[n]);
    map::arange(&b, &l, DType::I32, Scalar::Int(0), Scalar::Int(1)).unwrap();
    map::binary_scalar(BinaryOp::Mul, DType::I32, &b, &l, Scalar::Int(3), false, &b, &l).unwrap();
    let got = read_vec::<i32>(&b, &l, DType::I32);
    assert!(got.iter().enumerate().all(|(i, &v)| v == 3 * i as i32), "every element written once");
}

#[test]
fn random_fills_are_reproducible_and_distributed() {
    let Some(_gpu) = gpu() else {
        return;
    };
    // Philox4x32-10 known answers (Random123's kat_vectors): counter 0, key 0.
    let b = GpuBuffer::new(4).unwrap();
    let l = Layout::contiguous(&[1]);
    map::random(map::Distribution::Bits, DType::I32, &b, &l, 0).unwrap();
    assert_eq!(read_vec::<i32>(&b, &l, DType::I32)[0] as u32, 0x6627e8d5);
    let n = 200_000;
    let l = Layout::contiguous(&[n]);
    let u = GpuBuffer::new((n * 4) as u64).unwrap();
    map::random(map::Distribution::Uniform { low: -1.0, high: 3.0 }, DType::F32, &u, &l, 42).unwrap();
    let a = read_f32(&u, &l);
    map::random(map::Distribution::Uniform { low: -1.0, high: 3.0 }, DType::F32, &u, &l, 42).unwrap();
    assert_eq!(a, read_f32(&u, &l), "same seed, same numbers");
    assert!(a.iter().all(|&v| (-1.0..3.0).contains(&v)));
    // Mean 1, variance 16/12: the sample mean's sd is ~0.0026, so 0.02 is > 7 sd.
    let mean = a.iter().map(|&v| v as f64).sum::<f64>() / n as f64;
    assert!((mean - 1.0).abs() < 0.02, "{mean}");
    map::random(map::Distribution::Normal { mean: 2.0, std: 0.5 }, DType::F32, &u, &l, 7).unwrap();
    let z = read_f32(&u, &l);
    let m = z.iter().map(|&v| v as f64).sum::<f64>() / n as f64;
    let var = z.iter().map(|&v| (v as f64 - m).powi(2)).sum::<f64>() / n as f64;
    assert!((m - 2.0).abs() < 0.01 && (var.sqrt() - 0.5).abs() < 0.01, "{m} {var}");
    let ib = GpuBuffer::new((n * 8) as u64).unwrap();
    map::random(map::Distribution::RandInt { low: -3, high: 4 }, DType::I64, &ib, &l, 9).unwrap();
    let ints = read_vec::<i64>(&ib, &l, DType::I64);
    assert!(ints.iter().all(|v| (-3..4).contains(v)));
    for k in -3..4 {
        let c = ints.iter().filter(|&&v| v == k).count() as f64 / n as f64;
        assert!((c - 1.0 / 7.0).abs() < 0.01, "value {k}: frequency {c}");
    }
    map::random(map::Distribution::Bernoulli(0.25), DType::Bool, &ib, &l, 3).unwrap();
    let hits = read_vec::<bool>(&ib, &l, DType::Bool).iter().filter(|&&v| v).count() as f64 / n as f64;
    assert!((hits - 0.25).abs() < 0.01, "{hits}");
}
