//! The linear-algebra primitives: one function per factorization (and its solves), each
//! matching the device of its tensors once and the only place in the crate that turns a
//! tensor into the pointers, batch offsets and strides of `cpu::linalg`'s descriptors.
//!
//! Conventions every function shares (the ops layer, `ops/linalg`, upholds them):
//! - a matrix operand is a tensor of rank >= 2 whose last two dims are the matrix and whose
//!   leading dims are the batch; inputs may have any strides (transposed, sliced, or 0 for a
//!   broadcast batch), outputs are fresh tensors (distinct elements), typically
//!   column-major per matrix (the `.mT` of a contiguous tensor), which faer prefers;
//! - every operand of one call has the same batch size (the ops expand to a common batch);
//! - `info` outputs are int32 tensors of the batch shape, pivots int32 `(*, k)`;
//! - float32 / float64 only (the ops check dtypes and raise PyTorch's errors first).
//!
//! GPU: a GPU tensor reaching these functions takes the explicit, documented host round trip
//! of `backend::on_host` (its operands copied to the CPU, the CPU kernel run, the results
//! copied back to the input's device) until WGSL factorizations exist; every primitive here
//! is on that module's list.

use super::on_host::{opt, round_trip, Trip};
use super::operands::host_ptr;
use crate::cpu::linalg::{self as k, Mats, Real, Vecs};
use crate::device::Device;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::tensor::{dtype_title, Tensor};

/// The batch offsets (in elements, from the view's first element) of a tensor whose last
/// `inner` dims are one batch element.
fn batch_offsets(t: &Tensor, inner: usize) -> Vec<isize> {
    let r = t.rank();
    let (shape, strides) = (&t.shape()[..r - inner], &t.strides()[..r - inner]);
    let count: usize = shape.iter().product();
    let mut offs = Vec::with_capacity(count);
    // an odometer over the batch index that keeps the offset up to date as it counts
    let mut idx = vec![0usize; shape.len()];
    let mut cur = 0isize;
    for _ in 0..count {
        offs.push(cur);
        for d in (0..shape.len()).rev() {
            idx[d] += 1;
            cur += strides[d];
            if idx[d] < shape[d] {
                break;
            }
            cur -= shape[d] as isize * strides[d];
            idx[d] = 0;
        }
    }
    offs
}

/// A tensor `(*, m, n)` as a batch of matrices.
fn mats<T: Real>(t: &Tensor) -> Mats<T> {
    let r = t.rank();
    Mats { ptr: host_ptr(t) as *mut T, offsets: batch_offsets(t, 2), rows: t.shape()[r - 2], cols: t.shape()[r - 1], rs: t.strides()[r - 2], cs: t.strides()[r - 1] }
}

/// A tensor `(*, len)` as a batch of vectors.
fn vecs<E>(t: &Tensor) -> Vecs<E> {
    let r = t.rank();
    Vecs { ptr: host_ptr(t) as *mut E, offsets: batch_offsets(t, 1), len: t.shape()[r - 1], stride: t.strides()[r - 1] }
}

/// A tensor of the batch shape (one value per batch element, e.g. `info`) as vectors of 1.
fn scalars<E>(t: &Tensor) -> Vecs<E> {
    Vecs { ptr: host_ptr(t) as *mut E, offsets: batch_offsets(t, 0), len: 1, stride: 1 }
}

/// Whether any of these tensors is off the host (then the primitive takes the round trip).
fn off_host<'a, T: Into<Option<&'a Tensor>> + Copy>(ts: &[T]) -> bool {
    ts.iter().any(|&t| t.into().is_some_and(|t| t.device() != Device::Cpu))
}

/// Runs a CPU linalg kernel. Where faer may split one matrix over threads (`a`'s matrices
/// reach [`k::PAR_MIN_DIM`], see `par_within`) it runs in rgrad's pool for the current thread
/// count, where faer's parallel code looks for threads; otherwise on the calling thread:
/// entering the pool from outside is a wake-up and a wait (~10-20 us), more than a whole
/// batch of 4x4 factorizations costs, and the batch loop splits itself over the pool
/// anyway. GPU tensors never get here: each primitive sends them through the host round
/// trip first.
fn on_host<R: Send>(a: &Tensor, cpu: impl FnOnce() -> Result<R> + Send) -> Result<R> {
    if a.device() != Device::Cpu {
        return Err(Error::Runtime(format!("a CPU linalg kernel was handed a tensor on {}", a.device())));
    }
    let big = a.shape().iter().rev().take(2).all(|&d| d >= k::PAR_MIN_DIM);
    if big && crate::cpu::par::threads() > 1 {
        crate::cpu::par::install(cpu)
    } else {
        cpu()
    }
}

/// Runs `f::<f32>` or `f::<f64>` for `a`'s dtype.
macro_rules! float_kernel {
    ($name:expr, $a:expr, $T:ident => $body:expr) => {
        match $a.dtype() {
            DType::F32 => {
                type $T = f32;
                $body
            }
            DType::F64 => {
                type $T = f64;
                $body
            }
            d => Err(Error::NotImplemented(format!("{}: Expected a floating point or complex tensor as input. Got {}", $name, dtype_title(d)))),
        }
    };
}

/// LU with partial pivoting of `a` `(*, m, n)` into `lu` (same shape), `pivots` `(*, k)` int32
/// (1-based interchanges) and `info` (batch shape, int32).
pub fn lu_factor(a: &Tensor, lu: &Tensor, pivots: &Tensor, info: &Tensor) -> Result<()> {
    if off_host(&[a, lu, pivots, info]) {
        return round_trip("lu_factor", &[a, lu, pivots, info], &[false, true, true, true], |h| lu_factor(&h[0], &h[1], &h[2], &h[3]));
    }
    on_host(a, || {
        float_kernel!("linalg.lu_factor", a, T => {
            k::lu::lu_factor::<T>(&mats(a), &mats(lu), &vecs(pivots), &scalars(info));
            Ok(())
        })
    })
}

/// Solves `A X = B` (`A^T X = B` when `trans`) from A's LU factorization `lu` `(*, n, n)` and
/// `pivots`, writing `x` from `b` `(*, n, k)`. Errors name the first batch element whose
/// pivots are not valid row interchanges.
pub fn lu_solve(lu: &Tensor, pivots: &Tensor, b: &Tensor, x: &Tensor, trans: bool, name: &str) -> Result<()> {
    if off_host(&[lu, pivots, b, x]) {
        return round_trip("lu_solve", &[lu, pivots, b, x], &[false, false, false, true], |h| lu_solve(&h[0], &h[1], &h[2], &h[3], trans, name));
    }
    on_host(lu, || {
        let bad = float_kernel!(name, lu, T => Ok(k::lu::lu_solve::<T>(&mats(lu), &vecs(pivots), &mats(b), &mats(x), trans)))?;
        match bad {
            Some(i) => Err(Error::Runtime(format!(
                "{name}: the pivots of batch element {i} are not valid row interchanges (each pivots[..., j] must be in j+1..=n)"
            ))),
            None => Ok(()),
        }
    })
}

/// The inverse of each square matrix of `a` into `out`, and LAPACK's `info` of its LU.
pub fn inverse(a: &Tensor, out: &Tensor, info: &Tensor) -> Result<()> {
    if off_host(&[a, out, info]) {
        return round_trip("inverse", &[a, out, info], &[false, true, true], |h| inverse(&h[0], &h[1], &h[2]));
    }
    on_host(a, || {
        float_kernel!("linalg.inv", a, T => {
            k::lu::inverse::<T>(&mats(a), &mats(out), &scalars(info));
            Ok(())
        })
    })
}

/// The permutation matrices `P` (`(*, m, m)`, `out`'s dtype) with `A = P L U` for the row
/// interchanges `pivots` `(*, k)`. Errors name a batch element with invalid pivots.
pub fn pivots_to_permutation(pivots: &Tensor, out: &Tensor, name: &str) -> Result<()> {
    if off_host(&[pivots, out]) {
        return round_trip("pivots_to_permutation", &[pivots, out], &[false, true], |h| pivots_to_permutation(&h[0], &h[1], name));
    }
    on_host(pivots, || {
        let bad = float_kernel!(name, out, T => Ok(k::lu::permutation_matrix::<T>(&vecs(pivots), &mats(out))))?;
        match bad {
            Some(i) => Err(Error::Runtime(format!("{name}: the pivots of batch element {i} are not valid row interchanges (each pivots[..., j] must be in j+1..=m)"))),
            None => Ok(()),
        }
    })
}

/// Cholesky factors (lower) of the symmetric matrices `a` (lower triangle read) into `l`,
/// LAPACK's `info` into `info`.
pub fn cholesky(a: &Tensor, l: &Tensor, info: &Tensor) -> Result<()> {
    if off_host(&[a, l, info]) {
        return round_trip("cholesky", &[a, l, info], &[false, true, true], |h| cholesky(&h[0], &h[1], &h[2]));
    }
    on_host(a, || {
        float_kernel!("linalg.cholesky", a, T => {
            k::cholesky::cholesky::<T>(&mats(a), &mats(l), &scalars(info));
            Ok(())
        })
    })
}

/// Solves `L L^T X = B` (`l` lower triangular, only that triangle read) into `x`.
pub fn cholesky_solve(l: &Tensor, b: &Tensor, x: &Tensor) -> Result<()> {
    if off_host(&[l, b, x]) {
        return round_trip("cholesky_solve", &[l, b, x], &[false, false, true], |h| cholesky_solve(&h[0], &h[1], &h[2]));
    }
    on_host(l, || {
        float_kernel!("cholesky_solve", l, T => {
            k::cholesky::cholesky_solve::<T>(&mats(l), &mats(b), &mats(x));
            Ok(())
        })
    })
}

/// `(L L^T)^-1` for each lower-triangular `l` into `out`.
pub fn cholesky_inverse(l: &Tensor, out: &Tensor) -> Result<()> {
    if off_host(&[l, out]) {
        return round_trip("cholesky_inverse", &[l, out], &[false, true], |h| cholesky_inverse(&h[0], &h[1]));
    }
    on_host(l, || {
        float_kernel!("cholesky_inverse", l, T => {
            k::cholesky::cholesky_inverse::<T>(&mats(l), &mats(out));
            Ok(())
        })
    })
}

/// Solves `T X = B` with T the upper (or lower) triangle of `a`, unit diagonal when `unit`.
pub fn solve_triangular(a: &Tensor, b: &Tensor, x: &Tensor, upper: bool, unit: bool) -> Result<()> {
    if off_host(&[a, b, x]) {
        return round_trip("solve_triangular", &[a, b, x], &[false, false, true], |h| solve_triangular(&h[0], &h[1], &h[2], upper, unit));
    }
    on_host(a, || {
        float_kernel!("linalg.solve_triangular", a, T => {
            k::triangular::solve_triangular::<T>(&mats(a), &mats(b), &mats(x), upper, unit);
            Ok(())
        })
    })
}

/// Householder QR of `a` `(*, m, n)`: `r` `(*, rows, n)` and, when given, `q` `(*, m, cols)`.
pub fn qr(a: &Tensor, q: Option<&Tensor>, r: &Tensor) -> Result<()> {
    if off_host(&[Some(a), q, Some(r)]) {
        let mut t = Trip::default();
        let (ai, qi, ri) = (t.read(a), t.write_opt(q), t.write(r));
        return t.run("qr", |h| qr(&h[ai], opt(h, qi), &h[ri]));
    }
    on_host(a, || {
        float_kernel!("linalg.qr", a, T => {
            k::qr::qr::<T>(&mats(a), q.map(mats::<T>).as_ref(), &mats(r));
            Ok(())
        })
    })
}

/// Eigenvalues `w` `(*, n)` (ascending) and, when given, eigenvectors `v` of the symmetric
/// matrices `a` (lower triangle read); `info` 0 or a failure code per matrix.
pub fn eigh(a: &Tensor, w: &Tensor, v: Option<&Tensor>, info: &Tensor) -> Result<()> {
    if off_host(&[Some(a), Some(w), v, Some(info)]) {
        let mut t = Trip::default();
        let (ai, wi, vi, ii) = (t.read(a), t.write(w), t.write_opt(v), t.write(info));
        return t.run("eigh", |h| eigh(&h[ai], &h[wi], opt(h, vi), &h[ii]));
    }
    on_host(a, || {
        float_kernel!("linalg.eigh", a, T => {
            k::eigh::eigh::<T>(&mats(a), &vecs(w), v.map(mats::<T>).as_ref(), &scalars(info));
            Ok(())
        })
    })
}

/// Singular values `s` `(*, k)` and, when given, `u` / `vh` of `a`; `info` per matrix
/// (0, 1: a NaN in the input, 2: no convergence).
pub fn svd(a: &Tensor, u: Option<&Tensor>, s: &Tensor, vh: Option<&Tensor>, info: &Tensor) -> Result<()> {
    if off_host(&[Some(a), u, Some(s), vh, Some(info)]) {
        let mut t = Trip::default();
        let (ai, ui, si, vi, ii) = (t.read(a), t.write_opt(u), t.write(s), t.write_opt(vh), t.write(info));
        return t.run("svd", |h| svd(&h[ai], opt(h, ui), &h[si], opt(h, vi), &h[ii]));
    }
    on_host(a, || {
        float_kernel!("linalg.svd", a, T => {
            k::svd::svd::<T>(&mats(a), u.map(mats::<T>).as_ref(), &vecs(s), vh.map(mats::<T>).as_ref(), &scalars(info));
            Ok(())
        })
    })
}

/// `exp(A)` of each square matrix of `a` into `out`.
pub fn matrix_exp(a: &Tensor, out: &Tensor) -> Result<()> {
    if off_host(&[a, out]) {
        return round_trip("matrix_exp", &[a, out], &[false, true], |h| matrix_exp(&h[0], &h[1]));
    }
    on_host(a, || {
        float_kernel!("linalg.matrix_exp", a, T => {
            k::expm::matrix_exp::<T>(&mats(a), &mats(out));
            Ok(())
        })
    })
}
