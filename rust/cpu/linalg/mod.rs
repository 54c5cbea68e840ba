//! Dense linear-algebra kernels: LU, Cholesky, triangular solves, QR, the symmetric
//! eigendecomposition, the SVD and the matrix exponential, over batches of float32 /
//! float64 matrices with any strides.
//!
//! Two kinds of kernel sit behind each entry point, chosen by matrix size:
//! - the `faer` crate (blocked, vectorised, parallel within one matrix) for the sizes where
//!   it is fastest;
//! - small hand-written kernels (`small.rs`, `jacobi_svd.rs`) for tiny matrices, where
//!   faer's fixed cost per call (workspace, dispatch) is larger than the arithmetic. The
//!   thresholds (`SMALL_*` below) were set by measurement; see each constant.
//!
//! Every entry point takes [`Mats`] / [`Vecs`] descriptors: raw pointers plus the offset of
//! each batch element and the row / column strides, as `backend::linalg` builds them from
//! tensors (this layer never sees a tensor). Inputs are read through their strides, so a
//! transposed or sliced input costs no copy beyond the one every in-place factorization
//! makes into its output.
//!
//! The entry points are safe functions over those raw descriptors. Their `unsafe` blocks rest
//! on what `backend::linalg` guarantees when it builds them (its module docs), called "the
//! descriptors' guarantees" at each block: every [`Mats`] / [`Vecs`] describes live memory of
//! its shape (`count()` batch elements, offsets and strides from a tensor's layout), outputs
//! are fresh tensors whose elements are distinct and alias no input, and every operand of one
//! call has the same batch count. [`for_each_matrix`] calls its closure once per batch index,
//! so the outputs of batch element `b` are written by one task only.

pub mod cholesky;
pub mod eigh;
pub mod expm;
pub mod jacobi_svd;
pub mod lu;
pub mod qr;
pub mod small;
pub mod svd;
pub mod triangular;

use crate::cpu::Element;
use faer::dyn_stack::{MemBuffer, MemStack, StackReq};
use faer::{MatMut, MatRef, Par};

/// The real element types the kernels run on (f32 and f64): rgrad's element trait plus
/// faer's. Constants instead of `zero()` / `one()`, which both parents define.
pub trait Real: Element + faer::traits::RealField + std::ops::Neg<Output = Self> {
    /// 0.
    const ZERO: Self;
    /// 1.
    const ONE: Self;
    /// Machine epsilon.
    const EPS: Self;
    /// Converts from f64 (rounding).
    fn lit(v: f64) -> Self;
    /// Square root.
    fn sqrt(self) -> Self;
    /// Absolute value.
    fn abs(self) -> Self;
    /// Whether the value is neither infinite nor NaN.
    fn is_finite(self) -> bool;
    /// Natural logarithm.
    fn ln(self) -> Self;
}

macro_rules! impl_real {
    ($t:ty) => {
        impl Real for $t {
            const ZERO: $t = 0.0;
            const ONE: $t = 1.0;
            const EPS: $t = <$t>::EPSILON;
            #[inline(always)]
            fn lit(v: f64) -> $t {
                v as $t
            }
            #[inline(always)]
            fn sqrt(self) -> $t {
                <$t>::sqrt(self)
            }
            #[inline(always)]
            fn abs(self) -> $t {
                <$t>::abs(self)
            }
            #[inline(always)]
            fn is_finite(self) -> bool {
                <$t>::is_finite(self)
            }
            #[inline(always)]
            fn ln(self) -> $t {
                <$t>::ln(self)
            }
        }
    };
}
impl_real!(f32);
impl_real!(f64);

/// A batch of matrices in memory: matrix `b` starts `offsets[b]` elements after `ptr`,
/// and its element (i, j) sits `i * rs + j * cs` elements after that. Strides may be
/// negative or (for a broadcast input) zero.
pub struct Mats<T> {
    /// Base pointer (the storage, or a view's first element).
    pub ptr: *mut T,
    /// Element offset of each batch element from `ptr`.
    pub offsets: Vec<isize>,
    /// Rows of each matrix.
    pub rows: usize,
    /// Columns of each matrix.
    pub cols: usize,
    /// Row stride, in elements.
    pub rs: isize,
    /// Column stride, in elements.
    pub cs: isize,
}

// SAFETY: a `Mats` is a description of memory the caller owns for the duration of the
// kernel call; sending it moves no data.
unsafe impl<T> Send for Mats<T> {}
// SAFETY: tasks sharing a `Mats` write only the batch elements `for_each_matrix` gives them
// (one task per element) and read inputs no task writes (outputs alias no input).
unsafe impl<T> Sync for Mats<T> {}

impl<T: Real> Mats<T> {
    /// Number of matrices.
    pub fn count(&self) -> usize {
        self.offsets.len()
    }
    /// The same matrices transposed (a view: strides swapped).
    pub fn transposed(&self) -> Mats<T> {
        Mats { ptr: self.ptr, offsets: self.offsets.clone(), rows: self.cols, cols: self.rows, rs: self.cs, cs: self.rs }
    }
    /// Pointer to element (i, j) of matrix `b`.
    ///
    /// # Safety
    /// `b`, `i`, `j` in range and the described memory valid.
    #[inline(always)]
    pub unsafe fn at(&self, b: usize, i: usize, j: usize) -> *mut T {
        self.ptr.offset(self.offsets[b] + i as isize * self.rs + j as isize * self.cs)
    }
    /// Matrix `b` as a faer view.
    ///
    /// # Safety
    /// The described memory is valid for reads and not written while the view lives.
    pub unsafe fn mat(&self, b: usize) -> MatRef<'_, T> {
        MatRef::from_raw_parts(self.ptr.offset(self.offsets[b]) as *const T, self.rows, self.cols, self.rs, self.cs)
    }
    /// Matrix `b` as a mutable faer view.
    ///
    /// # Safety
    /// The described memory is valid, its elements distinct (no zero or overlapping
    /// strides), and no other view of matrix `b` is used while this one lives.
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn mat_mut(&self, b: usize) -> MatMut<'_, T> {
        MatMut::from_raw_parts_mut(self.ptr.offset(self.offsets[b]), self.rows, self.cols, self.rs, self.cs)
    }
    /// Copies matrix `b` into the column-major buffer `dst` (leading dimension `rows`).
    ///
    /// # Safety
    /// As [`Mats::mat`].
    pub unsafe fn gather(&self, b: usize, dst: &mut [T]) {
        let base = self.ptr.offset(self.offsets[b]);
        for j in 0..self.cols {
            let col = base.offset(j as isize * self.cs);
            let d = &mut dst[j * self.rows..(j + 1) * self.rows];
            if self.rs == 1 {
                d.copy_from_slice(std::slice::from_raw_parts(col, self.rows));
            } else {
                for (i, x) in d.iter_mut().enumerate() {
                    *x = *col.offset(i as isize * self.rs);
                }
            }
        }
    }
    /// Writes the column-major buffer `src` (leading dimension `rows`) into matrix `b`.
    ///
    /// # Safety
    /// As [`Mats::mat_mut`].
    pub unsafe fn scatter(&self, b: usize, src: &[T]) {
        let base = self.ptr.offset(self.offsets[b]);
        for j in 0..self.cols {
            let col = base.offset(j as isize * self.cs);
            let s = &src[j * self.rows..(j + 1) * self.rows];
            if self.rs == 1 {
                std::slice::from_raw_parts_mut(col, self.rows).copy_from_slice(s);
            } else {
                for (i, &x) in s.iter().enumerate() {
                    *col.offset(i as isize * self.rs) = x;
                }
            }
        }
    }
}

/// A batch of vectors: vector `b` starts `offsets[b]` elements after `ptr`, element `i`
/// `i * stride` after that (pivots, `info`, eigenvalues, singular values).
pub struct Vecs<T> {
    /// Base pointer.
    pub ptr: *mut T,
    /// Element offset of each batch element.
    pub offsets: Vec<isize>,
    /// Elements per vector.
    pub len: usize,
    /// Stride between elements.
    pub stride: isize,
}

// SAFETY: as for `Mats`: a description of memory the caller owns; sending it moves no data.
unsafe impl<T> Send for Vecs<T> {}
// SAFETY: as for `Mats`: tasks write only their own batch elements' vectors.
unsafe impl<T> Sync for Vecs<T> {}

impl<T: Copy> Vecs<T> {
    /// Element `i` of vector `b`.
    ///
    /// # Safety
    /// In range, memory valid.
    #[inline(always)]
    pub unsafe fn get(&self, b: usize, i: usize) -> T {
        *self.ptr.offset(self.offsets[b] + i as isize * self.stride)
    }
    /// Writes element `i` of vector `b`.
    ///
    /// # Safety
    /// In range, memory valid, written by one task only.
    #[inline(always)]
    pub unsafe fn set(&self, b: usize, i: usize, v: T) {
        *self.ptr.offset(self.offsets[b] + i as isize * self.stride) = v;
    }
}

/// The smallest matrix dimension faer is given threads for (see [`par_within`]).
pub const PAR_MIN_DIM: usize = 96;

/// How much parallelism one matrix of a batch of `count` gets: the whole pool when it is
/// alone and big enough for faer's blocked code to split, else none (the batch loop is
/// parallel instead).
pub fn par_within(count: usize, n: usize) -> Par {
    // (faer's parallel code runs in the pool of the `par::install` around the call, see
    // `backend::linalg`, so set_num_threads bounds it)
    let threads = crate::cpu::par::threads();
    if count == 1 && n >= PAR_MIN_DIM && threads > 1 {
        Par::rayon(threads)
    } else {
        Par::Seq
    }
}

/// Runs `f(b, state)` for every matrix `b < count`, in parallel over the batch when it has
/// enough work (`flops` per matrix, roughly). Each task makes its own `state` (workspace:
/// buffers, faer's `MemBuffer`) once and reuses it for all its matrices.
pub fn for_each_matrix<S>(count: usize, flops: usize, state: impl Fn() -> S + Sync, f: impl Fn(usize, &mut S) + Sync) {
    // below ~64k flops per task, waking a thread costs more than it saves
    const TASK_FLOPS: usize = 1 << 16;
    let total = count.saturating_mul(flops.max(1));
    let tasks = if count <= 1 || total < 2 * TASK_FLOPS { 1 } else { (total / TASK_FLOPS).clamp(1, count).min(crate::cpu::par::threads() * 4) };
    let run = |t: usize| {
        let mut s = state();
        for b in t * count / tasks..(t + 1) * count / tasks {
            f(b, &mut s);
        }
    };
    if tasks == 1 {
        run(0);
    } else {
        crate::cpu::par::for_each_task(tasks, run);
    }
}

/// Workspace for faer calls: a buffer sized by `req`, handed out as a `MemStack`.
pub struct Scratch(MemBuffer);

impl Scratch {
    /// A buffer holding at least `req`.
    pub fn new(req: StackReq) -> Scratch {
        Scratch(MemBuffer::new(req))
    }
    /// The buffer as faer's stack.
    pub fn stack(&mut self) -> &mut MemStack {
        MemStack::new(&mut self.0)
    }
}

/// Converts the row permutation `perm` (row `i` of P A is row `perm[i]` of A) into LAPACK's
/// sequence of row interchanges `ipiv` (1-based: at step `i` rows `i` and `ipiv[i] - 1` were
/// swapped). The sequence is unique, so it equals LAPACK's whenever the pivots do.
pub fn perm_to_ipiv(perm: &[usize], ipiv: &mut [i32]) {
    let n = perm.len();
    // cur[p]: the original row now at position p; pos[r]: the position of original row r
    let mut cur: Vec<usize> = (0..n).collect();
    let mut pos: Vec<usize> = (0..n).collect();
    for (i, piv) in ipiv.iter_mut().enumerate() {
        let j = pos[perm[i]];
        *piv = j as i32 + 1;
        let (ri, rj) = (cur[i], cur[j]);
        cur.swap(i, j);
        pos[ri] = j;
        pos[rj] = i;
    }
}

/// The inverse of [`perm_to_ipiv`]: the row permutation (and its inverse) that the
/// interchanges `ipiv` (1-based, each in `i+1..=n`) apply to `n` rows. Returns false when an
/// entry is out of range.
pub fn ipiv_to_perm(ipiv: &[i32], perm: &mut [usize], perm_inv: &mut [usize]) -> bool {
    let n = perm.len();
    for (i, p) in perm.iter_mut().enumerate() {
        *p = i;
    }
    for (i, &piv) in ipiv.iter().enumerate() {
        let j = piv as i64 - 1;
        if j < i as i64 || j >= n as i64 {
            return false;
        }
        perm.swap(i, j as usize);
    }
    for (i, &p) in perm.iter().enumerate() {
        perm_inv[p] = i;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pivots_round_trip() {
        let ipiv = [3, 2, 4, 4];
        let (mut perm, mut inv) = (vec![0; 4], vec![0; 4]);
        assert!(ipiv_to_perm(&ipiv, &mut perm, &mut inv));
        assert_eq!(perm, vec![2, 1, 3, 0]);
        let mut back = [0; 4];
        perm_to_ipiv(&perm, &mut back);
        assert_eq!(back, ipiv);
        assert!(!ipiv_to_perm(&[0, 2], &mut [0; 2], &mut [0; 2]));
    }
}
