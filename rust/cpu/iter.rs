//! Strided iteration over N operands that share one shape (after broadcasting),
//! in the spirit of PyTorch's TensorIterator:
//!
//! 1. drop size-1 dims, order dims so the first operand's smallest stride is innermost,
//! 2. merge neighbouring dims that are contiguous with each other in *every* operand,
//! 3. hand the kernel runs along the innermost dim: `(pointers, len, inner strides)`.
//!
//! The kernel's inner loop then sees either unit strides (and LLVM vectorises it),
//! a zero stride (a broadcast scalar), or a fixed stride. Work is split into
//! element ranges for rayon above `PARALLEL_MIN` elements.

use crate::cpu::PARALLEL_MIN;
use smallvec::SmallVec;

/// Dimension sizes, inline up to 6 dims.
pub type Dims = SmallVec<[usize; 6]>;
/// Per-dim strides in bytes, signed: negative for reversed views, 0 for broadcast dims.
pub type ByteStrides = SmallVec<[isize; 6]>;

/// One operand: base pointer (already at its offset) and strides in bytes.
#[derive(Clone)]
pub struct Operand {
    /// Address of the operand's first element (storage pointer plus the view's offset).
    pub ptr: *mut u8,
    /// Byte strides, one per dim of the shared shape (0 on broadcast dims).
    pub strides: ByteStrides,
}

/// An iteration plan over `N` operands of one shape: the coalesced shape and, per operand,
/// the base pointer and byte strides along it.
///
/// Built by [`Plan::new`]; kernels then call [`Plan::run`], which hands them innermost runs as
/// `(pointers, len)` with the per-operand step given by [`Plan::inner_strides`].
/// Operand order is the caller's (by convention the output first).
#[derive(Clone)]
pub struct Plan<const N: usize> {
    /// Coalesced shape, innermost last.
    pub shape: Dims,
    /// Base pointer of each operand, in the order given to [`Plan::new`].
    pub ptrs: [*mut u8; N],
    /// Byte strides of each operand along the coalesced shape.
    pub strides: [ByteStrides; N],
}

// SAFETY: a `Plan` is addresses and strides; sending it to another thread moves no data. The
// kernels that dereference them are responsible for what they touch (see `Plan::run`).
unsafe impl<const N: usize> Send for Plan<N> {}
// SAFETY: the tasks `Plan::run` shares a plan with only read its fields; through its pointers they
// write disjoint output elements (`run` splits work only when operand 0's elements have distinct
// addresses) and only read the inputs.
unsafe impl<const N: usize> Sync for Plan<N> {}

impl<const N: usize> Plan<N> {
    /// Plans iteration over `ops`, which all have `shape` (strides already broadcast, in bytes).
    ///
    /// Drops size-1 dims; orders dims by decreasing |stride| of operand 0 unless it has a zero stride
    /// (then keeps row-major order); merges neighbouring dims that are contiguous with each other
    /// in every operand.
    pub fn new(shape: &[usize], ops: [Operand; N]) -> Plan<N> {
        // 1. keep non-trivial dims
        let keep: SmallVec<[usize; 6]> = (0..shape.len()).filter(|&d| shape[d] != 1).collect();
        // order: sort by |stride| of operand 0 descending (innermost = smallest), stable
        let mut order = keep.clone();
        order.sort_by(|&a, &b| {
            let sa = ops[0].strides[a].unsigned_abs();
            let sb = ops[0].strides[b].unsigned_abs();
            // a dim with stride 0 in the output never happens for outputs; for inputs-as-op0 keep order
            sb.cmp(&sa)
        });
        // Only reorder when operand 0 is an output-like (all strides non-zero); otherwise keep row-major.
        if keep.iter().any(|&d| ops[0].strides[d] == 0) {
            order = keep;
        }
        let mut dims: Dims = SmallVec::new();
        let mut strides: [ByteStrides; N] = std::array::from_fn(|_| SmallVec::new());
        for &d in &order {
            let n = dims.len();
            // 2. merge with the previous dim when (prev stride == this stride * this size) for all ops
            if n > 0 && (0..N).all(|k| strides[k][n - 1] == ops[k].strides[d] * shape[d] as isize) {
                dims[n - 1] *= shape[d];
                for k in 0..N {
                    strides[k][n - 1] = ops[k].strides[d];
                }
                continue;
            }
            dims.push(shape[d]);
            for k in 0..N {
                strides[k].push(ops[k].strides[d]);
            }
        }
        let ptrs = std::array::from_fn(|k| ops[k].ptr);
        Plan { shape: dims, ptrs, strides }
    }

    /// Number of elements covered (product of the coalesced shape; 1 for a 0-d plan).
    pub fn numel(&self) -> usize {
        self.shape.iter().product()
    }

    /// Whether two elements of operand `k` may share an address (an expanded view, overlapping
    /// `unfold` windows): [`crate::layout::Layout::may_overlap`]'s test on the coalesced dims
    /// (byte strides are multiples of the element size, so the test reads the same in bytes).
    pub fn may_overlap(&self, k: usize) -> bool {
        crate::layout::dims_may_overlap(&self.shape, &self.strides[k])
    }

    /// Strides of the innermost dim (0 for a 0-d plan).
    pub fn inner_strides(&self) -> [isize; N] {
        std::array::from_fn(|k| self.strides[k].last().copied().unwrap_or(0))
    }

    /// Calls `f(ptrs, len)` for each innermost run that intersects elements `[start, end)`.
    pub fn for_each_run_in(&self, start: usize, end: usize, f: &mut impl FnMut([*mut u8; N], usize)) {
        let rank = self.shape.len();
        if rank == 0 {
            if start < end {
                f(self.ptrs, 1);
            }
            return;
        }
        let inner = self.shape[rank - 1];
        if inner == 0 || start >= end {
            return;
        }
        // multi-index of `start`
        let mut idx: SmallVec<[usize; 6]> = SmallVec::from_elem(0, rank);
        let mut rem = start;
        for d in (0..rank).rev() {
            idx[d] = rem % self.shape[d];
            rem /= self.shape[d];
        }
        // The pointer updates wrap (no `offset`): a plan's pointer need not point into an
        // allocation (`reduce` plans a null virtual output), and between runs it passes through
        // the position one past a row, which for negative or wide strides lies outside the
        // view. Only the kernels dereference, at the runs' elements.
        let mut ptrs = self.ptrs;
        for (p, st) in ptrs.iter_mut().zip(&self.strides) {
            let off: isize = idx.iter().zip(st).map(|(&i, &s)| i as isize * s).sum();
            *p = p.wrapping_offset(off);
        }
        let mut pos = start;
        while pos < end {
            let len = (inner - idx[rank - 1]).min(end - pos);
            f(ptrs, len);
            pos += len;
            if pos >= end {
                break;
            }
            // advance to the start of the next run
            let advanced = idx[rank - 1] + len; // == inner
            for (p, st) in ptrs.iter_mut().zip(&self.strides) {
                *p = p.wrapping_offset(len as isize * st[rank - 1]);
            }
            idx[rank - 1] = advanced;
            let mut d = rank - 1;
            while idx[d] == self.shape[d] && d > 0 {
                for (p, st) in ptrs.iter_mut().zip(&self.strides) {
                    *p = p.wrapping_offset(-(self.shape[d] as isize) * st[d]);
                }
                idx[d] = 0;
                d -= 1;
                idx[d] += 1;
                for (p, st) in ptrs.iter_mut().zip(&self.strides) {
                    *p = p.wrapping_offset(st[d]);
                }
            }
        }
    }

    /// Runs `f` over all runs, in parallel chunks when the plan is large and operand 0 (the
    /// output, by convention) has a distinct address for every element: tasks get disjoint
    /// element ranges, so they then never write one address twice. An output whose elements
    /// share memory (PyTorch lets `fill_` and in-place ops write an expanded or unfolded view)
    /// runs on one thread. `f` must be safe to call concurrently on disjoint output ranges.
    pub fn run<F>(&self, f: F)
    where
        F: Fn([*mut u8; N], usize) + Sync,
    {
        let n = self.numel();
        if n < PARALLEL_MIN || crate::cpu::par::threads() <= 1 || self.may_overlap(0) {
            self.for_each_run_in(0, n, &mut |p, l| f(p, l));
            return;
        }
        let threads = crate::cpu::par::threads();
        let chunks = (threads * 4).min(n / (PARALLEL_MIN / 2)).max(1);
        let per = n.div_ceil(chunks);
        let per = per.div_ceil(64) * 64; // cache-line friendly boundaries
        let nchunks = n.div_ceil(per);
        crate::cpu::par::for_each_task(nchunks, |c| {
            let start = c * per;
            self.for_each_run_in(start, (start + per).min(n), &mut |p, l| f(p, l));
        });
    }
}

/// Sends raw pointers across rayon's closures; the kernels guarantee disjoint writes.
#[derive(Clone, Copy)]
pub struct SendPtr(pub *mut u8);
// SAFETY: a `SendPtr` is an address; sending it moves no data. Every user states why its tasks'
// accesses through it don't conflict.
unsafe impl Send for SendPtr {}
// SAFETY: sharing the address is harmless by itself; the kernels that share one give each task
// disjoint elements to write (the `SAFETY` comments at their `unsafe` blocks).
unsafe impl Sync for SendPtr {}
impl SendPtr {
    /// Use this inside closures: it captures the whole wrapper, not the raw field.
    #[inline(always)]
    pub fn get(self) -> *mut u8 {
        self.0
    }
}
