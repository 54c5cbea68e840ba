//! Reduction kernels: blocked/pairwise sums, row and column reductions.

use crate::cpu::iter::{Operand, Plan};
use crate::cpu::{Element, PARALLEL_MIN};

// ---------- sums ----------

/// Sums a contiguous run with 8 independent accumulators (vectorisable) and a
/// pairwise combination of blocks, so float32 sums of 1e7 ones are exact.
#[inline]
pub unsafe fn sum_run<T: Element + std::ops::Add<Output = T>>(p: *const u8, len: usize, stride: isize) -> T {
    if stride != std::mem::size_of::<T>() as isize {
        let mut acc = T::zero();
        let mut q = p;
        for _ in 0..len {
            acc = acc + *(q as *const T);
            q = q.offset(stride);
        }
        return acc;
    }
    let x = std::slice::from_raw_parts(p as *const T, len);
    pairwise_sum(x)
}

fn pairwise_sum<T: Element + std::ops::Add<Output = T>>(x: &[T]) -> T {
    const BLOCK: usize = 4096;
    if x.len() <= BLOCK {
        let mut acc = [T::zero(); 8];
        let chunks = x.chunks_exact(8);
        let rest = chunks.remainder();
        for c in chunks {
            for k in 0..8 {
                acc[k] = acc[k] + c[k];
            }
        }
        let mut s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
        for &v in rest {
            s = s + v;
        }
        return s;
    }
    let mid = (x.len() / 2).div_ceil(BLOCK) * BLOCK;
    pairwise_sum(&x[..mid]) + pairwise_sum(&x[mid..])
}

/// Sum over all elements of a (single-operand) plan, in parallel chunks.
pub fn sum_all<T: Element + std::ops::Add<Output = T>>(plan: &Plan<1>) -> T {
    let n = plan.numel();
    let stride = plan.inner_strides()[0];
    let chunk_sum = |s: usize, e: usize| {
        let mut acc = T::zero();
        plan.for_each_run_in(s, e, &mut |p, len| acc = acc + unsafe { sum_run::<T>(p[0], len, stride) });
        acc
    };
    let threads = rayon::current_num_threads();
    if n < PARALLEL_MIN * 4 || threads <= 1 {
        return chunk_sum(0, n);
    }
    // Fixed chunking (independent of thread count) keeps results reproducible.
    let chunks = 16usize;
    let per = n.div_ceil(chunks).div_ceil(64) * 64;
    use rayon::prelude::*;
    let partial: Vec<T> = (0..chunks).into_par_iter().map(|c| chunk_sum((c * per).min(n), ((c + 1) * per).min(n))).collect();
    // pairwise combine
    let mut v = partial;
    while v.len() > 1 {
        v = v.chunks(2).map(|c| if c.len() == 2 { c[0] + c[1] } else { c[0] }).collect();
    }
    v[0]
}

/// Sums the input over `reduce` dims into a contiguous output.
/// `in_op` describes the input (strides in bytes); the output has shape `shape`
/// with the reduced dims set to 1, contiguous.
pub fn sum_dims<T: Element + std::ops::Add<Output = T>>(shape: &[usize], reduce: &[bool], input: Operand, out: *mut u8) {
    let esz = std::mem::size_of::<T>() as isize;
    // kept dims (outer) and reduced dims (inner), in original order
    let kept: Vec<usize> = (0..shape.len()).filter(|&d| !reduce[d]).collect();
    let red: Vec<usize> = (0..shape.len()).filter(|&d| reduce[d]).collect();
    let kept_shape: Vec<usize> = kept.iter().map(|&d| shape[d]).collect();
    let red_shape: Vec<usize> = red.iter().map(|&d| shape[d]).collect();
    let out_strides = crate::shape::contiguous_strides(&kept_shape);
    let kept_plan = Plan::<2>::new(
        &kept_shape,
        [
            Operand { ptr: out, strides: out_strides.iter().map(|s| s * esz).collect() },
            Operand { ptr: input.ptr, strides: kept.iter().map(|&d| input.strides[d]).collect() },
        ],
    );
    let red_plan = Plan::<1>::new(&red_shape, [Operand { ptr: input.ptr, strides: red.iter().map(|&d| input.strides[d]).collect() }]);
    let kept_inner = kept_plan.inner_strides();
    let red_n = red_plan.numel();
    let red_inner = red_plan.inner_strides()[0];
    let red_inner_len = red_plan.shape.last().copied().unwrap_or(1);

    // Column reduction: the kept block is one unit-stride run and the reduced dims
    // are outer in memory -> accumulate whole rows (vectorised), never gather.
    let column = kept_plan.shape.len() == 1 && kept_inner[1] == esz && red_inner.unsigned_abs() as isize > esz;
    if column {
        let k = kept_plan.shape[0];
        let out_ptr = crate::cpu::iter::SendPtr(out);
        let in_ptr = crate::cpu::iter::SendPtr(input.ptr);
        let red_plan = &red_plan;
        let work = move |j0: usize, j1: usize| unsafe {
            let o = (out_ptr.get() as *mut T).add(j0);
            for j in 0..(j1 - j0) {
                *o.add(j) = T::zero();
            }
            // walk the reduced positions (each a row start), adding rows
            let mut rp = red_plan.clone();
            rp.ptrs[0] = in_ptr.get().offset(j0 as isize * esz);
            rp.for_each_run_in(0, red_n, &mut |p, len| {
                let mut q = p[0];
                for _ in 0..len {
                    let row = q as *const T;
                    for j in 0..(j1 - j0) {
                        *o.add(j) = *o.add(j) + *row.add(j);
                    }
                    q = q.offset(red_inner);
                }
            });
        };
        let threads = rayon::current_num_threads();
        if k * red_n < PARALLEL_MIN || threads <= 1 || k < 128 {
            work(0, k);
        } else {
            let parts = (threads * 2).min(k / 64).max(1);
            let per = k.div_ceil(parts).div_ceil(16) * 16;
            rayon::scope(|s| {
                let mut j = 0;
                while j < k {
                    let e = (j + per).min(k);
                    let w = &work;
                    s.spawn(move |_| w(j, e));
                    j = e;
                }
            });
        }
        return;
    }

    // Row reduction: for every output element, sum its reduced sub-tensor.
    let red_plan = &red_plan;
    kept_plan.run(|p, len| unsafe {
        let (mut po, mut pi) = (p[0], p[1]);
        for _ in 0..len {
            let v = if red_plan.shape.len() <= 1 {
                sum_run::<T>(pi, red_inner_len.min(red_n), red_inner)
            } else {
                let mut rp = red_plan.clone();
                rp.ptrs[0] = pi;
                let mut acc = T::zero();
                rp.for_each_run_in(0, red_n, &mut |q, l| acc = acc + sum_run::<T>(q[0], l, red_inner));
                acc
            };
            *(po as *mut T) = v;
            po = po.offset(kept_inner[0]);
            pi = pi.offset(kept_inner[1]);
        }
    });
}
