//! Sorting and counting primitives: sort along a dim (values and indices; topk and kthvalue
//! are built on it), unique (flat, consecutive, and of slices), searchsorted, bincount, histc.

use super::gpu_arm;
use super::host::from_host;
use super::operands::{as_slice, dense, host_ptr};
use crate::cpu::{count, sort as ks};
use crate::device::Device;
use crate::dispatch_dtype;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// `t` (a host result) as a new tensor on `device`.
fn to_device(t: &Tensor, device: Device) -> Result<Tensor> {
    if t.device() == device {
        return Ok(t.clone());
    }
    let d = Tensor::empty_on(t.shape(), t.dtype(), device)?;
    super::copy(&d, t)?;
    Ok(d)
}

/// Element offsets of the start of every row along `dim` of a layout, row-major.
fn row_starts(shape: &[usize], strides: &[isize], dim: usize) -> Vec<isize> {
    let outer: Vec<usize> = (0..shape.len()).filter(|&d| d != dim).collect();
    let count: usize = outer.iter().map(|&d| shape[d]).product();
    let mut starts = Vec::with_capacity(count);
    if count == 0 {
        return starts;
    }
    let mut idx = vec![0usize; outer.len()];
    let mut off = 0isize;
    for _ in 0..count {
        starts.push(off);
        // increment the multi-index (last outer dim fastest)
        for k in (0..outer.len()).rev() {
            let d = outer[k];
            idx[k] += 1;
            off += strides[d];
            if idx[k] < shape[d] {
                break;
            }
            off -= strides[d] * shape[d] as isize;
            idx[k] = 0;
        }
    }
    starts
}

/// Sorts `x` along `dim` (stable; NaN largest) into the fresh `vals` (x's dtype) and int64
/// `idx` of x's shape.
pub fn sort(x: &Tensor, dim: usize, descending: bool, vals: &Tensor, idx: &Tensor) -> Result<()> {
    if x.numel() == 0 {
        return Ok(());
    }
    match vals.device() {
        Device::Cpu => {
            let rows = ks::Rows {
                x_starts: row_starts(x.shape(), x.strides(), dim),
                v_starts: row_starts(vals.shape(), vals.strides(), dim),
                i_starts: row_starts(idx.shape(), idx.strides(), dim),
                len: x.shape()[dim],
                x_stride: x.strides()[dim],
                v_stride: vals.strides()[dim],
                i_stride: idx.strides()[dim],
            };
            // SAFETY: the rows describe the three views; the outputs are fresh
            dispatch_dtype!(x.dtype(), T => unsafe {
                ks::sort_rows::<T>(host_ptr(x) as *const T, host_ptr(vals) as *mut T, host_ptr(idx) as *mut i64, &rows, descending)
            });
            Ok(())
        }
        Device::Gpu(_) => gpu_arm!("sort", {
            use super::gpu_operands::view;
            let ((xb, xl), (vb, vl), (ib, il)) = (view(x)?, view(vals)?, view(idx)?);
            if x.rank() == 0 {
                // one element: itself, at index 0
                super::copy(vals, x)?;
                return super::fill(idx, crate::dtype::Scalar::Int(0));
            }
            crate::gpu::kernels::sort::sort(x.dtype(), xb, &xl, dim, descending, (vb, &vl), (ib, &il))
        }),
    }
}

/// What `unique` returns: the distinct values, each input's group (`inverse`, empty unless
/// asked for) and the group sizes.
pub struct UniqueOut {
    /// The distinct values, as a vector of the input's dtype.
    pub values: Tensor,
    /// For each input element, the position of its value in `values` (int64, `inverse_shape`);
    /// an empty tensor when the inverse was not asked for.
    pub inverse: Tensor,
    /// How many input elements each of `values` stands for (int64).
    pub counts: Tensor,
}

/// The distinct values of the contiguous vector `x`: sorted (each NaN its own value), or the
/// runs of equal neighbours when `consecutive`. `inverse` gets `inverse_shape` when asked for.
/// The output sizes depend on the data: the CPU computes them in host memory; a GPU backend
/// reads one count back (`read_small`).
pub fn unique(x: &Tensor, consecutive: bool, return_inverse: bool, inverse_shape: &[usize]) -> Result<UniqueOut> {
    debug_assert!(dense(x) && x.rank() == 1);
    let device = x.device();
    match device {
        Device::Cpu => dispatch_dtype!(x.dtype(), T => {
            // SAFETY: `x` is a contiguous vector of `T`
            let data = unsafe { as_slice::<T>(x) };
            let u = if consecutive { ks::unique_consecutive::<T>(data, return_inverse) } else { ks::unique_sorted::<T>(data, return_inverse) };
            let m = u.values.len();
            Ok(UniqueOut {
                values: from_host(&u.values, &[m], device)?,
                inverse: if return_inverse { from_host(&u.inverse, inverse_shape, device)? } else { Tensor::empty_on(&[0], DType::I64, device)? },
                counts: from_host(&u.counts, &[m], device)?,
            })
        }),
        Device::Gpu(_) => {
            // output sizes depend on the data: computed on a host copy, results uploaded
            let h = super::on_host::host_copy(x)?;
            debug_assert!(super::on_host::HOST_ROUND_TRIP.contains(&"unique"));
            let u = unique(&h, consecutive, return_inverse, inverse_shape)?;
            Ok(UniqueOut { values: to_device(&u.values, device)?, inverse: to_device(&u.inverse, device)?, counts: to_device(&u.counts, device)? })
        }
    }
}

/// The groups of equal slices of `moved`, whose dim 0 is the one `unique(dim=...)` runs over
/// (contiguous): for each group (sorted lexicographically, or consecutive runs) the position of
/// its first slice, each slice's group, and the group sizes, all int64 on `moved`'s device.
pub struct UniqueDim {
    /// For each group, the index along dim 0 of its first slice.
    pub firsts: Tensor,
    /// For each slice along dim 0, the group it belongs to.
    pub inverse: Tensor,
    /// The number of slices in each group.
    pub counts: Tensor,
}

/// See [`UniqueDim`].
pub fn unique_dim(moved: &Tensor, consecutive: bool) -> Result<UniqueDim> {
    debug_assert!(dense(moved) && moved.rank() >= 1);
    let device = moved.device();
    let n = moved.shape()[0];
    let m = moved.numel().checked_div(n).unwrap_or(0);
    match device {
        Device::Cpu => {
            let (order, groups) = dispatch_dtype!(moved.dtype(), T => {
                // SAFETY: `moved` is contiguous of `T`
                count::unique_rows::<T>(unsafe { as_slice::<T>(moved) }, n, m, consecutive)
            });
            let firsts: Vec<i64> = groups.iter().map(|&(i, _)| order[i] as i64).collect();
            let mut inverse = vec![0i64; n];
            for (g, &(i, j)) in groups.iter().enumerate() {
                for k in i..j {
                    inverse[order[k]] = g as i64;
                }
            }
            let counts: Vec<i64> = groups.iter().map(|&(i, j)| (j - i) as i64).collect();
            Ok(UniqueDim {
                firsts: from_host(&firsts, &[firsts.len()], device)?,
                inverse: from_host(&inverse, &[n], device)?,
                counts: from_host(&counts, &[counts.len()], device)?,
            })
        }
        Device::Gpu(_) => {
            let h = super::on_host::host_copy(moved)?;
            debug_assert!(super::on_host::HOST_ROUND_TRIP.contains(&"unique_dim"));
            let u = unique_dim(&h, consecutive)?;
            Ok(UniqueDim { firsts: to_device(&u.firsts, device)?, inverse: to_device(&u.inverse, device)?, counts: to_device(&u.counts, device)? })
        }
    }
}

/// Insertion points of `values` in `seq` into the fresh int64 `out` (values' shape): `seq`
/// 1-D, or N-D whose rows (last dim) pair with `values`' rows. `seq` and `values` contiguous of
/// one dtype; `sorter` (contiguous int64, in range) permutes each row of `seq`.
pub fn searchsorted(seq: &Tensor, values: &Tensor, right: bool, sorter: Option<&Tensor>, out: &Tensor) -> Result<()> {
    debug_assert!(dense(seq) && dense(values) && seq.dtype() == values.dtype());
    match out.device() {
        Device::Cpu => {
            let n = values.numel();
            let len = seq.shape()[seq.rank() - 1];
            let per_row = if values.rank() == 0 { 1 } else { values.shape()[values.rank() - 1] };
            let one_row = seq.rank() == 1;
            let o = host_ptr(out) as *mut i64;
            dispatch_dtype!(seq.dtype(), T => {
                let sp = host_ptr(seq) as *const T;
                let vp = host_ptr(values) as *const T;
                for i in 0..n {
                    let row = if one_row { 0 } else { i / per_row.max(1) };
                    // SAFETY: `i < n` elements of values/out; rows of `len` in seq and sorter
                    unsafe {
                        let srt = sorter.map(|s| ((host_ptr(s) as *const i64).add(row * len), 1isize));
                        *o.add(i) = ks::search_t::<T>(sp.add(row * len), 1, len, *vp.add(i), right, srt) as i64;
                    }
                }
            });
            Ok(())
        }
        Device::Gpu(_) => gpu_arm!("searchsorted", {
            use super::gpu_operands::view;
            use crate::layout::Layout;
            let one = |l: Layout| if l.rank() == 0 { Layout { shape: [1usize].as_slice().into(), strides: [1isize].as_slice().into(), offset: l.offset } } else { l };
            let ((sb, sl), (vb, vl), (ob, ol)) = (view(seq)?, view(values)?, view(out)?);
            let (vl, ol) = (one(vl), one(ol));
            let srt = sorter.map(view).transpose()?;
            crate::gpu::kernels::sort::searchsorted(seq.dtype(), sb, &sl, vb, &vl, srt.as_ref().map(|(b, l)| (*b, l)), right, ob, &ol, out.dtype() == DType::I32)
        }),
    }
}

/// `bincount`: counts of each value of the contiguous int64 vector `x` (non-negative, below
/// `out`'s length) into the zeroed `out`: int64 counts, or float64 sums of the contiguous
/// float64 `weights`.
pub fn bincount(x: &Tensor, weights: Option<&Tensor>, out: &Tensor) -> Result<()> {
    if out.numel() == 0 {
        return Ok(());
    }
    match out.device() {
        Device::Cpu => {
            // SAFETY: all contiguous of the stated dtypes; `out` is fresh
            unsafe {
                let xs = as_slice::<i64>(x);
                let len = out.numel();
                match weights {
                    None => count::bincount(xs, std::slice::from_raw_parts_mut(host_ptr(out) as *mut i64, len)),
                    Some(w) => count::bincount_weighted(xs, as_slice::<f64>(w), std::slice::from_raw_parts_mut(host_ptr(out) as *mut f64, len)),
                }
            }
            Ok(())
        }
        Device::Gpu(_) => {
            let mut ts = vec![x, out];
            ts.extend(weights);
            let written = [false, true, false];
            super::on_host::round_trip("bincount", &ts, &written[..ts.len()], |h| bincount(&h[0], h.get(2), &h[1]))
        }
    }
}

/// `histc`: counts of the contiguous float64 `x` in `out.len()` equal bins over `[lo, hi]`
/// into the zeroed float64 `out` (values outside, and NaN, ignored).
pub fn histc(x: &Tensor, lo: f64, hi: f64, out: &Tensor) -> Result<()> {
    if out.numel() == 0 {
        return Err(Error::Runtime("histc: no bins".into()));
    }
    match out.device() {
        Device::Cpu => {
            // SAFETY: contiguous float64; `out` is fresh
            unsafe { count::histc(as_slice::<f64>(x), lo, hi, std::slice::from_raw_parts_mut(host_ptr(out) as *mut f64, out.numel())) };
            Ok(())
        }
        Device::Gpu(_) => super::on_host::round_trip("histc", &[x, out], &[false, true], |h| histc(&h[0], lo, hi, &h[1])),
    }
}
