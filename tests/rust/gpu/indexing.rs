//! gather / scatter / index_select / index_add, masked_select / nonzero, sort / topk /
//! searchsorted against rgrad's CPU ops.

use super::util::*;
use rgrad::gpu::kernels::{index, select, sort};
use rgrad::gpu::{self, GpuBuffer};
use rgrad::{DType, Layout, Scalar, Tensor};

fn t_f(v: &[f64], shape: &[usize], d: DType) -> Tensor {
    Tensor::from_slice(v, &[v.len()]).unwrap().to_dtype(d).unwrap().reshape_to(shape).unwrap()
}
fn t_i(v: &[i64], shape: &[usize]) -> Tensor {
    Tensor::from_slice(v, shape).unwrap()
}
fn out_buf(shape: &[usize]) -> (GpuBuffer, Layout) {
    let n: usize = shape.iter().product();
    (GpuBuffer::new((n.max(1) * 8) as u64).unwrap(), Layout::contiguous(shape))
}

#[test]
fn gather_and_index_select_match_cpu() {
    let Some(_gpu) = gpu() else {
        return;
    };
    for d in dtypes() {
        let src = t_f(&(0..20).map(|v| v as f64 - 7.0).collect::<Vec<_>>(), &[4, 5], d);
        let idx = t_i(&[0, 4, 1, 3, 3, 2, 0, 0], &[2, 4]);
        let (sb, ib) = (upload_tensor(&src), upload_tensor(&idx));
        let (out, ol) = out_buf(&[2, 4]);
        index::gather(d, &sb, src.layout(), 1, &ib, idx.layout(), &out, &ol, false).unwrap();
        assert_same(&read_tensor(&out, &ol, d), &src.gather(1, &idx).unwrap());
        // index_select along dim 0 with a negative index (counts from the end).
        let sel = t_i(&[3, -1, 0], &[3]);
        let selb = upload_tensor(&sel);
        let (out, ol) = out_buf(&[3, 5]);
        index::index_select(d, &sb, src.layout(), 0, &selb, sel.layout(), &out, &ol).unwrap();
        assert_same(&read_tensor(&out, &ol, d), &src.index_select(0, &t_i(&[3, 3, 0], &[3])).unwrap());
    }
}

#[test]
fn out_of_range_indices_raise_index_error() {
    let Some(_gpu) = gpu() else {
        return;
    };
    let src = up_f32(&[1.0, 2.0, 3.0]);
    let idx = up(&[0i64, 7], DType::I64);
    let (out, ol) = out_buf(&[2]);
    index::gather(DType::F32, &src, &Layout::contiguous(&[3]), 0, &idx, &Layout::contiguous(&[2]), &out, &ol, false).unwrap();
    let err = gpu::synchronize().unwrap_err();
    assert!(matches!(&err, rgrad::Error::Index(m) if m.contains("index 7 is out of bounds for dimension 0 with size 3")), "{err}");
    // gather does not wrap negatives; the status was cleared, so the next check is clean.
    gpu::synchronize().unwrap();
    let neg = up(&[-1i64, 0], DType::I64);
    index::gather(DType::F32, &src, &Layout::contiguous(&[3]), 0, &neg, &Layout::contiguous(&[2]), &out, &ol, false).unwrap();
    assert!(gpu::read(&out, &ol, DType::F32).is_err());
}

#[test]
fn scatter_reduce_and_index_add_accumulate_duplicates() {
    let Some(_gpu) = gpu() else {
        return;
    };
    let idx = t_i(&[0, 2, 0, 2, 2, 1, 0, 0], &[8]);
    let srcv: Vec<f64> = vec![1.5, -2.0, 3.25, 4.0, 0.5, -1.0, 2.0, 8.0];
    for d in dtypes() {
        let src = t_f(&srcv, &[8], d);
        let (ib, sb) = (upload_tensor(&idx), upload_tensor(&src));
        let base = t_f(&[10.0, 20.0, 30.0], &[3], d);
        let ops: &[(index::ScatterOp, &str)] = if d == DType::Bool {
            &[(index::ScatterOp::Add, "sum"), (index::ScatterOp::Max, "amax"), (index::ScatterOp::Min, "amin")]
        } else {
            &[(index::ScatterOp::Add, "sum"), (index::ScatterOp::Mul, "prod"), (index::ScatterOp::Max, "amax"), (index::ScatterOp::Min, "amin")]
        };
        for &(op, name) in ops {
            let needs64 = matches!(d, DType::F64 | DType::I64) && !(op == index::ScatterOp::Add && d == DType::I64);
            let dst = upload_tensor(&base);
            let r = index::scatter(op, d, &dst, base.layout(), 0, &ib, idx.layout(), Some((&sb, src.layout())), Scalar::Int(0), None, false);
            if needs64 && !gpu::context::context().unwrap().has_atomic64() {
                assert!(matches!(r, Err(rgrad::Error::NotImplemented(_))));
                continue;
            }
            r.unwrap();
            let want = base.scatter_reduce_t(0, &idx, &src, rgrad::ops::gather_scatter::ScatterReduce::parse(name).unwrap(), true).unwrap();
            let got = read_tensor(&dst, base.layout(), d);
            // Accumulation order differs (atomics): float sums agree to rounding of these
            // exactly representable small values, products and extremes exactly.
            assert_close(&values(&got), &values(&want), 1e-6, 0.0, &format!("scatter {name} {d}"));
        }
    }
    // index_add with alpha, and a scalar scatter.
    let dst = up_f32(&[0.0; 6]);
    let dl = Layout::contiguous(&[3, 2]);
    let src = t_f(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], &[4, 2], DType::F32);
    let sel = t_i(&[2, 0, 2, 1], &[4]);
    let (sb, selb) = (upload_tensor(&src), upload_tensor(&sel));
    index::index_add(DType::F32, &dst, &dl, 0, &selb, sel.layout(), &sb, src.layout(), Scalar::Float(0.5)).unwrap();
    assert_eq!(read_f32(&dst, &dl), vec![1.5, 2.0, 3.5, 4.0, 3.0, 4.0]);
    let idx2 = up(&[1i64, 1], DType::I64);
    index::scatter(index::ScatterOp::Assign, DType::F32, &dst, &dl, 1, &idx2, &Layout { shape: [1, 2].as_slice().into(), strides: [0isize, 1].as_slice().into(), offset: 0 }, None, Scalar::Float(-9.0), None, false).unwrap();
    assert_eq!(read_f32(&dst, &dl), vec![1.5, -9.0, 3.5, 4.0, 3.0, 4.0]);
}

#[test]
fn masked_select_and_nonzero_match_cpu() {
    let Some(_gpu) = gpu() else {
        return;
    };
    let mut r = Rng::new(4);
    for n in [0usize, 1, 5, 1023, 1024, 1025, 5000, 300_000] {
        let v: Vec<f64> = (0..n).map(|_| if r.uniform(0.0, 1.0) < 0.3 { 0.0 } else { r.uniform(-5.0, 5.0) }).collect();
        let x = t_f(&v, &[n], DType::F32);
        let mask = x.binary(rgrad::kinds::BinaryOp::Gt, &Tensor::scalar(Scalar::Float(0.5), DType::F32).unwrap()).unwrap();
        let (xb, mb) = (upload_tensor(&x), upload_tensor(&mask));
        let (sel, count) = select::masked_select(DType::F32, &xb, x.layout(), &mb, mask.layout()).unwrap();
        let want = x.masked_select(&mask).unwrap();
        assert_eq!(count, want.numel(), "n={n}");
        assert_same(&read_tensor(&sel, &Layout::contiguous(&[count]), DType::F32), &want);
    }
    // nonzero of a strided 3-D int tensor: coordinates in its own shape.
    let x = t_f(&(0..60).map(|v| ((v * 7) % 5) as f64).collect::<Vec<_>>(), &[3, 4, 5], DType::I32).transpose(0, 2).unwrap();
    let xb = upload_tensor(&x);
    let (coords, count) = select::nonzero(DType::I32, &xb, x.layout()).unwrap();
    let want = x.nonzero().unwrap();
    assert_eq!(count, want.shape()[0]);
    assert_same(&read_tensor(&coords, &Layout::contiguous(&[count, 3]), DType::I64), &want);
}

#[test]
fn sort_topk_are_stable_and_match_cpu() {
    let Some(_gpu) = gpu() else {
        return;
    };
    let mut r = Rng::new(9);
    for d in dtypes() {
        for shape in [&[1usize][..], &[7], &[3, 100], &[1000, 3], &[2, 5000]] {
            let n: usize = shape.iter().product();
            // Few distinct values, so ties (and the stability they test) are common.
            let mut v: Vec<f64> = (0..n).map(|_| (r.uniform(-4.0, 4.0)).round()).collect();
            if d.is_float() && n > 4 {
                v[0] = f64::NAN;
                v[1] = -0.0;
                v[2] = f64::INFINITY;
                v[3] = f64::NAN;
            }
            let x = t_f(&v, shape, d);
            let xb = upload_tensor(&x);
            for dim in 0..x.rank() {
                for desc in [false, true] {
                    let (vals, vl) = out_buf(shape);
                    let (idx, il) = out_buf(shape);
                    sort::sort(d, &xb, x.layout(), dim, desc, (&vals, &vl), (&idx, &il)).unwrap();
                    let want = x.sort(dim as isize, desc, true).unwrap();
                    assert_same(&read_tensor(&vals, &vl, d), &want.0);
                    assert_same(&read_tensor(&idx, &il, DType::I64), &want.1);
                }
            }
            let dim = x.rank() - 1;
            let k = shape[dim].min(3);
            let mut oshape = shape.to_vec();
            oshape[dim] = k;
            // topk of bool is refused by the ops layer, as PyTorch
            for largest in [true, false].into_iter().filter(|_| d != DType::Bool) {
                let (vals, vl) = out_buf(&oshape);
                let (idx, il) = out_buf(&oshape);
                sort::topk(d, &xb, x.layout(), dim, k, largest, (&vals, &vl), (&idx, &il)).unwrap();
                let want = x.topk(k as isize, dim as isize, largest, true).unwrap();
                assert_same(&read_tensor(&vals, &vl, d), &want.0);
                // Indices may differ from the CPU's where values tie; the values they point at
                // must be the same.
                let got_i = read_tensor(&idx, &il, DType::I64);
                assert_same(&x.gather(dim as isize, &got_i).unwrap(), &want.0);
            }
        }
    }
}

#[test]
fn searchsorted_matches_cpu() {
    let Some(_gpu) = gpu() else {
        return;
    };
    let seq = t_f(&[-3.0, -1.0, -1.0, 0.0, 2.0, 2.0, 2.0, 5.0, f64::NAN], &[9], DType::F32);
    let vals = t_f(&[-5.0, -1.0, 0.0, 1.0, 2.0, 5.0, 9.0, f64::NAN], &[2, 4], DType::F32);
    let (sb, vb) = (upload_tensor(&seq), upload_tensor(&vals));
    for right in [false, true] {
        let (out, ol) = out_buf(&[2, 4]);
        sort::searchsorted(DType::F32, &sb, seq.layout(), &vb, vals.layout(), None, right, &out, &ol, false).unwrap();
        let want = rgrad::ops::sort_ops::searchsorted(&seq, &vals, false, right, None).unwrap();
        assert_same(&read_tensor(&out, &ol, DType::I64), &want);
    }
    // Batched rows, through a sorter, int32 output.
    let rows = t_i(&[5, 1, 3, 9, 7, 8], &[2, 3]);
    let sorter = t_i(&[1, 2, 0, 1, 2, 0], &[2, 3]);
    let q = t_i(&[3, 6, 8, 10], &[2, 2]);
    let (rb, srb, qb) = (upload_tensor(&rows), upload_tensor(&sorter), upload_tensor(&q));
    let (out, ol) = out_buf(&[2, 2]);
    sort::searchsorted(DType::I64, &rb, rows.layout(), &qb, q.layout(), Some((&srb, sorter.layout())), false, &out, &ol, true).unwrap();
    assert_eq!(read_vec::<i32>(&out, &ol, DType::I32), vec![1, 3, 1, 3]);
}
