//! How the hot kernels (elementwise plans, reductions, gemm, gather / index rows)
//! split work across threads: `for_each_task(n, f)` runs `f(0..n)` on the calling
//! thread plus rayon pool workers, which pull task indices from a shared counter.
//! (Some colder paths still use rayon's `par_iter` directly.)
//!
//! Why not `rayon::scope` or `par_iter` from the Python thread: those hand the
//! whole job to the pool and put the caller to sleep, so every call wakes two
//! workers and waits for the slower one to be scheduled. Here the caller starts
//! on task 0 at once and wakes `threads - 1` workers; on this kind of shared VM,
//! where a core is often briefly busy elsewhere, a late worker just takes fewer
//! tasks. Callers cut work into a few tasks per thread for that balancing.

use rayon::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Runs `f(i)` for every `i` in `0..n`, each exactly once, possibly concurrently.
pub fn for_each_task(n: usize, f: impl Fn(usize) + Sync) {
    let threads = rayon::current_num_threads();
    if n <= 1 || threads <= 1 {
        (0..n).for_each(f);
        return;
    }
    if rayon::current_thread_index().is_some() {
        // already on a pool thread (nested parallelism): plain rayon splitting
        (0..n).into_par_iter().for_each(&f);
        return;
    }
    let next = AtomicUsize::new(0);
    let work = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= n {
            break;
        }
        f(i);
    };
    rayon::in_place_scope(|s| {
        for _ in 0..(threads - 1).min(n - 1) {
            s.spawn(|_| work());
        }
        work();
    });
}

/// `for_each_task` collecting one result per task, in task order.
pub fn map_tasks<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let slots: Vec<parking_lot::Mutex<Option<T>>> = (0..n).map(|_| parking_lot::Mutex::new(None)).collect();
    for_each_task(n, |i| *slots[i].lock() = Some(f(i)));
    slots.into_iter().map(|s| s.into_inner().expect("every task ran")).collect()
}
