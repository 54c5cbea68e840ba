//! matmul, reductions, scans and softmax against rgrad's CPU ops.

use super::util::*;
use rgrad::gpu::kernels::{matmul, reduce, scan, softmax};
use rgrad::gpu::GpuBuffer;
use rgrad::kinds::BinaryOp;
use rgrad::{DType, Layout, Scalar, Tensor};

fn rand_tensor(shape: &[usize], d: DType, seed: u64) -> Tensor {
    let n: usize = shape.iter().product();
    let mut r = Rng::new(seed);
    let v: Vec<f64> = r.vec(n, -2.0, 2.0).iter().map(|x| if d.is_float() { *x } else { (x * 4.0).round() }).collect();
    Tensor::from_slice(&v, &[n]).unwrap().to_dtype(d).unwrap().reshape_to(shape).unwrap()
}

fn out_buf(shape: &[usize]) -> (GpuBuffer, Layout) {
    let n: usize = shape.iter().product();
    (GpuBuffer::new((n.max(1) * 8) as u64).unwrap(), Layout::contiguous(shape))
}

/// |got - want| <= tol * (sum over k of |a_ik| |b_kj|): the rounding bound of a length-k dot
/// product (k * eps of its absolute terms), whatever order either side summed in.
fn assert_matmul_close(got: &Tensor, want: &Tensor, a: &Tensor, b: &Tensor, d: DType) {
    let bound = a.unary(rgrad::kinds::UnaryOp::Abs).unwrap().matmul(&b.unary(rgrad::kinds::UnaryOp::Abs).unwrap()).unwrap();
    let k = a.shape()[a.rank() - 1] as f64;
    let eps = if d == DType::F32 { f32::EPSILON as f64 } else { f64::EPSILON };
    let (g, w, bd) = (values(got), values(want), values(&bound));
    for i in 0..g.len() {
        assert!((g[i] - w[i]).abs() <= 2.0 * k * eps * bd[i] + 1e-30, "element {i}: {} vs {}", g[i], w[i]);
    }
}

#[test]
fn matmul_shapes_strides_batches_and_dtypes() {
    let Some(_gpu) = gpu() else {
        return;
    };
    let cases: &[(&[usize], &[usize])] = &[(&[1, 1], &[1, 1]), (&[3, 5], &[5, 2]), (&[65, 70], &[70, 33]), (&[130, 17], &[17, 129]), (&[4, 9, 40], &[4, 40, 11]), (&[2, 3, 8, 8], &[2, 3, 8, 8]), (&[5, 0], &[0, 4])];
    for d in dtypes() {
        if d == DType::Bool {
            continue;
        }
        for (i, (sa, sb)) in cases.iter().enumerate() {
            let a = rand_tensor(sa, d, i as u64);
            let b = rand_tensor(sb, d, 100 + i as u64);
            let want = a.matmul(&b).unwrap();
            let (ab, bb) = (upload_tensor(&a), upload_tensor(&b));
            let (out, ol) = out_buf(want.shape());
            matmul::matmul(d, &ab, a.layout(), &bb, b.layout(), &out, &ol, Scalar::Int(1), None).unwrap();
            let got = read_tensor(&out, &ol, d);
            if d.is_float() {
                assert_matmul_close(&got, &want, &a, &b, d);
            } else {
                assert_same(&got, &want);
            }
        }
    }
}

#[test]
fn matmul_transposed_operands_broadcast_batch_alpha_beta() {
    let Some(_gpu) = gpu() else {
        return;
    };
    let d = DType::F32;
    // a^T @ b^T read in place through strides, a broadcast over a batch of 3.
    let a = rand_tensor(&[20, 30], d, 1).transpose(0, 1).unwrap(); // (30, 20), strides (1, 30)
    let b = rand_tensor(&[3, 40, 20], d, 2).transpose(1, 2).unwrap(); // (3, 20, 40)
    let (ab, bb) = (upload_tensor(&a), upload_tensor(&b));
    let al = a.layout().unsqueeze(0).unwrap().expand(&[3, 30, 20]).unwrap();
    let c0 = rand_tensor(&[3, 30, 40], d, 3);
    let cb = upload_tensor(&c0);
    matmul::matmul(d, &ab, &al, &bb, b.layout(), &cb, c0.layout(), Scalar::Float(0.5), Some(Scalar::Float(-2.0))).unwrap();
    let prod = a.matmul(&b).unwrap();
    let want = prod.binary(BinaryOp::Mul, &Tensor::scalar(Scalar::Float(0.5), d).unwrap()).unwrap().binary(BinaryOp::Add, &c0.binary(BinaryOp::Mul, &Tensor::scalar(Scalar::Float(-2.0), d).unwrap()).unwrap()).unwrap();
    let got = read_tensor(&cb, c0.layout(), d);
    let g = values(&got);
    let w = values(&want);
    for i in 0..g.len() {
        assert!((g[i] - w[i]).abs() <= 1e-4 * (1.0 + w[i].abs()), "{i}: {} vs {}", g[i], w[i]);
    }
    // beta = None ignores NaN already in out.
    let out = up_f32(&[f32::NAN; 4]);
    let ol = Layout::contiguous(&[2, 2]);
    let i2 = up_f32(&[1.0, 0.0, 0.0, 1.0]);
    let m = up_f32(&[1.0, 2.0, 3.0, 4.0]);
    matmul::matmul(d, &i2, &ol, &m, &ol, &out, &ol, Scalar::Int(1), None).unwrap();
    assert_eq!(read_f32(&out, &ol), vec![1.0, 2.0, 3.0, 4.0]);
    // out sharing a buffer with an operand goes through a copy: m = m @ m.
    matmul::matmul(d, &m, &ol, &m, &ol, &m, &ol, Scalar::Int(1), None).unwrap();
    assert_eq!(read_f32(&m, &ol), vec![7.0, 10.0, 15.0, 22.0]);
}

fn gpu_reduce(op: reduce::Reduction, x: &Tensor, mask: &[bool], out_d: DType) -> Tensor {
    let kept: Vec<usize> = x.shape().iter().zip(mask).filter(|(_, &m)| !m).map(|(&s, _)| s).collect();
    let xb = upload_tensor(x);
    let (out, ol) = out_buf(&kept);
    reduce::reduce(op, x.dtype(), &xb, x.layout(), mask, out_d, &out, &ol, None).unwrap();
    read_tensor(&out, &ol, out_d)
}

#[test]
fn reductions_over_dims_match_cpu() {
    let Some(_gpu) = gpu() else {
        return;
    };
    use reduce::Reduction as R;
    let shapes: &[&[usize]] = &[&[7], &[3, 50], &[4, 5, 6], &[2, 3000], &[3, 70_000]];
    for d in dtypes() {
        for (si, shape) in shapes.iter().enumerate() {
            let x = rand_tensor(shape, d, si as u64 + 10);
            let x = if shape.len() == 3 { x.transpose(0, 2).unwrap() } else { x };
            let r = x.rank();
            for dims in [vec![r - 1], vec![0], (0..r).collect::<Vec<_>>()] {
                let mask: Vec<bool> = (0..r).map(|i| dims.contains(&i)).collect();
                let idims: Vec<isize> = dims.iter().map(|&v| v as isize).collect();
                let sum_d = if d.is_float() { d } else { DType::I64 };
                let got = gpu_reduce(R::Sum, &x, &mask, sum_d);
                let want = x.sum_dims(Some(&idims), false, None).unwrap();
                if d.is_float() {
                    // Both sides sum in the input's float type in different orders: the error
                    // is bounded by (length * eps) * sum |x|; these inputs are O(1).
                    let len: usize = dims.iter().map(|&i| x.shape()[i]).product();
                    let eps = if d == DType::F32 { f32::EPSILON as f64 } else { f64::EPSILON };
                    assert_close(&values(&got), &values(&want), 0.0, 2.0 * (len as f64).sqrt().max(8.0) * eps * len as f64, &format!("sum {d} {shape:?} {dims:?}"));
                } else {
                    assert_same(&got, &want);
                }
                for (op, want) in [(R::Max, x.amax(Some(&idims), false)), (R::Min, x.amin(Some(&idims), false))] {
                    assert_same(&gpu_reduce(op, &x, &mask, d), &want.unwrap());
                }
                assert_same(&gpu_reduce(R::Any, &x, &mask, DType::Bool), &x.any_dims(Some(&idims), false).unwrap());
                assert_same(&gpu_reduce(R::All, &x, &mask, DType::Bool), &x.all_dims(Some(&idims), false).unwrap());
                if d.is_float() {
                    let got = gpu_reduce(R::Mean, &x, &mask, d);
                    let want = x.mean_dims(Some(&idims), false, None).unwrap();
                    assert_close(&values(&got), &values(&want), 1e-5, 1e-6, &format!("mean {d} {shape:?} {dims:?}"));
                    for p in [1.0, 2.0, f64::INFINITY, 3.0] {
                        if p == 3.0 && d == DType::F64 && !has_f64() {
                            continue;
                        }
                        let got = gpu_reduce(R::Norm(p), &x, &mask, d);
                        let want = x.vector_norm(p, Some(&idims), false, None).unwrap();
                        assert_close(&values(&got), &values(&want), 1e-5, 1e-6, &format!("norm {p} {d} {shape:?}"));
                    }
                }
            }
            // Arg-reductions along one dim: first occurrence of the extreme.
            let dim = r - 1;
            let mask: Vec<bool> = (0..r).map(|i| i == dim).collect();
            let kept: Vec<usize> = x.shape()[..dim].to_vec();
            let xb = upload_tensor(&x);
            for (op, cpu) in [(R::ArgMax, x.max_dim(dim as isize, false).unwrap()), (R::ArgMin, x.min_dim(dim as isize, false).unwrap())] {
                let (vals, vl) = out_buf(&kept);
                let (idx, il) = out_buf(&kept);
                reduce::reduce(op, d, &xb, x.layout(), &mask, d, &vals, &vl, Some((&idx, &il))).unwrap();
                assert_same(&read_tensor(&vals, &vl, d), &cpu.0);
                assert_same(&read_tensor(&idx, &il, DType::I64), &cpu.1);
            }
        }
    }
}

#[test]
fn reduction_edge_cases() {
    let Some(_gpu) = gpu() else {
        return;
    };
    use reduce::Reduction as R;
    // NaN propagates through max and wins argmax (its first occurrence).
    let x = Tensor::from_slice(&[1.0f32, f32::NAN, 5.0, f32::NAN], &[4]).unwrap();
    assert!(values(&gpu_reduce(R::Max, &x, &[true], DType::F32))[0].is_nan());
    let xb = upload_tensor(&x);
    let (v, vl) = out_buf(&[]);
    let (i, il) = out_buf(&[]);
    reduce::reduce(R::ArgMax, DType::F32, &xb, x.layout(), &[true], DType::F32, &v, &vl, Some((&i, &il))).unwrap();
    assert_eq!(read_vec::<i64>(&i, &il, DType::I64), vec![1]);
    // Empty reductions: sum 0, prod 1, any false, all true, mean NaN.
    let e = Tensor::zeros_on(&[3, 0], DType::F32, rgrad::Device::Cpu).unwrap();
    assert_eq!(values(&gpu_reduce(R::Sum, &e, &[false, true], DType::F32)), vec![0.0; 3]);
    assert_eq!(values(&gpu_reduce(R::Prod, &e, &[false, true], DType::F32)), vec![1.0; 3]);
    assert_eq!(values(&gpu_reduce(R::All, &e, &[false, true], DType::Bool)), vec![1.0; 3]);
    assert!(values(&gpu_reduce(R::Mean, &e, &[false, true], DType::F32)).iter().all(|v| v.is_nan()));
    // More outputs than one dispatch row of workgroups (70,000 > 65,535), a reduction per output.
    let x = rand_tensor(&[70_000, 40], DType::F32, 5);
    let got = gpu_reduce(R::Max, &x, &[false, true], DType::F32);
    assert_same(&got, &x.amax(Some(&[1]), false).unwrap());
    // keepdim-shaped output layouts are accepted.
    let xb = upload_tensor(&x);
    let (out, _) = out_buf(&[70_000]);
    reduce::reduce(R::Sum, DType::F32, &xb, x.layout(), &[false, true], DType::F32, &out, &Layout::contiguous(&[70_000, 1]), None).unwrap();
}

#[test]
fn scans_match_cpu() {
    let Some(_gpu) = gpu() else {
        return;
    };
    for d in dtypes() {
        for shape in [&[5usize][..], &[3, 700], &[600, 4]] {
            let x = rand_tensor(shape, d, 21);
            for dim in 0..x.rank() {
                let xb = upload_tensor(&x);
                let acc = if d.is_float() { d } else { DType::I64 };
                let (out, ol) = out_buf(shape);
                scan::scan(scan::Scan::Sum, d, &xb, x.layout(), dim, acc, &out, &ol, None).unwrap();
                let want = x.cumsum(dim as isize, None).unwrap();
                let got = read_tensor(&out, &ol, acc);
                if d.is_float() {
                    assert_close(&values(&got), &values(&want), 1e-5, 1e-4, &format!("cumsum {d} {shape:?} {dim}"));
                } else {
                    assert_same(&got, &want);
                }
                if d != DType::Bool {
                    for (op, want) in [(scan::Scan::Max, x.cummax(dim as isize).unwrap()), (scan::Scan::Min, x.cummin(dim as isize).unwrap())] {
                        let (v, vl) = out_buf(shape);
                        let (i, il) = out_buf(shape);
                        scan::scan(op, d, &xb, x.layout(), dim, d, &v, &vl, Some((&i, &il))).unwrap();
                        assert_same(&read_tensor(&v, &vl, d), &want.0);
                        assert_same(&read_tensor(&i, &il, DType::I64), &want.1);
                    }
                }
            }
        }
    }
    // logcumsumexp against log(cumsum(exp)) in float64 on the CPU.
    let x = rand_tensor(&[2, 300], DType::F32, 4);
    let xb = upload_tensor(&x);
    let (out, ol) = out_buf(&[2, 300]);
    scan::scan(scan::Scan::LogSumExp, DType::F32, &xb, x.layout(), 1, DType::F32, &out, &ol, None).unwrap();
    let x64 = x.to_dtype(DType::F64).unwrap();
    let want = x64.unary(rgrad::kinds::UnaryOp::Exp).unwrap().cumsum(1, None).unwrap().unary(rgrad::kinds::UnaryOp::Log).unwrap();
    assert_close(&values(&read_tensor(&out, &ol, DType::F32)), &values(&want), 2e-6, 1e-6, "logcumsumexp");
}

#[test]
fn softmax_forward_backward_match_cpu() {
    let Some(_gpu) = gpu() else {
        return;
    };
    for d in [DType::F32, DType::F64] {
        if d == DType::F64 && !has_f64() {
            continue;
        }
        for (shape, dim) in [(&[4usize, 10][..], 1usize), (&[3, 1000], 1), (&[600, 5], 0), (&[2, 3, 40], 1)] {
            let x = rand_tensor(shape, d, 8).binary(BinaryOp::Mul, &Tensor::scalar(Scalar::Float(3.0), d).unwrap()).unwrap();
            let xb = upload_tensor(&x);
            for log in [false, true] {
                let (y, yl) = out_buf(shape);
                softmax::softmax(log, d, &xb, x.layout(), dim, &y, &yl).unwrap();
                let want = if log { x.log_softmax(dim as isize, None) } else { x.softmax(dim as isize, None) }.unwrap();
                let tol = if d == DType::F32 { 2e-6 } else { 1e-14 };
                assert_close(&values(&read_tensor(&y, &yl, d)), &values(&want), tol, tol, &format!("softmax log={log} {d} {shape:?}"));
                // Backward from a fixed incoming gradient, against the formulas in float64.
                let g = rand_tensor(shape, d, 9);
                let gb = upload_tensor(&g);
                let (gx, gxl) = out_buf(shape);
                softmax::softmax_backward(log, d, &gb, g.layout(), &y, &yl, dim, &gx, &gxl).unwrap();
                let y64 = want.to_dtype(DType::F64).unwrap();
                let g64 = g.to_dtype(DType::F64).unwrap();
                let want_gx = if log {
                    let s = g64.sum_dims(Some(&[dim as isize]), true, None).unwrap();
                    g64.binary(BinaryOp::Sub, &y64.unary(rgrad::kinds::UnaryOp::Exp).unwrap().binary(BinaryOp::Mul, &s).unwrap()).unwrap()
                } else {
                    let s = g64.binary(BinaryOp::Mul, &y64).unwrap().sum_dims(Some(&[dim as isize]), true, None).unwrap();
                    y64.binary(BinaryOp::Mul, &g64.binary(BinaryOp::Sub, &s).unwrap()).unwrap()
                };
                let tol = if d == DType::F32 { 1e-5 } else { 1e-13 };
                assert_close(&values(&read_tensor(&gx, &gxl, d)), &values(&want_gx), tol, tol, &format!("softmax backward log={log} {d} {shape:?}"));
            }
        }
    }
}
