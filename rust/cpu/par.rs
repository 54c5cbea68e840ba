//! The thread pool the kernels run on, and how the hot kernels (elementwise plans,
//! reductions, gemm, gather / index rows) split work across it: `for_each_task(n, f)`
//! runs `f(0..n)` on the calling thread plus pool workers. Colder paths use rayon's
//! `par_iter` inside [`install`], which runs them on the same pool.
//!
//! **How many threads** (as PyTorch's `torch.set_num_threads`): [`threads`] is the number
//! of threads a kernel may use at once, the calling thread included. It starts from
//! `RGRAD_NUM_THREADS`, else `OMP_NUM_THREADS`, else the number of CPUs the process may
//! run on, read at the first parallel call; [`set_threads`] changes it at any time. Each
//! count gets its own rayon pool (built once, kept: switching back and forth costs nothing),
//! never rayon's global pool, whose size cannot change.
//!
//! **Results do not depend on the thread count**: every kernel cuts its work into pieces
//! whose number and bounds depend on the sizes only (see `reduce.rs`, `SPLIT_CHUNKS`), and
//! combines partial results in a fixed order; the thread count only decides who runs
//! which piece (docs/cpu.md; tests/test_threads.py checks it).
//!
//! Why not `rayon::scope` or `par_iter` from the Python thread: those hand the
//! whole job to the pool and put the caller to sleep, so every call wakes two
//! workers and waits for the slower one to be scheduled. Here the caller starts
//! at once, wakes `threads - 1` workers, and does not wait for one that comes too
//! late to take a task.
//!
//! Which thread runs which task: each thread owns a contiguous share of the tasks
//! (the caller the first, as OpenMP's static schedule gives its master thread), takes
//! its own from the front and, once they are done, steals the others' from the back.
//! Owning the same share on every call keeps that part of the data in the cache of
//! the core that read it last time: on this machine one core's cache holds about
//! 8 MB, so summing the rows of a 16 MB matrix runs at about 50 GB/s per core when
//! each core rereads its own half and about 22 GB/s when the halves swap. Stealing
//! keeps the balance when a core is briefly busy elsewhere (a shared VM): the late
//! thread just ends up with fewer tasks.

use rayon::prelude::*;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

// ---------- the pool and its size ----------

/// The thread count in force (0 until first read from the environment).
static THREADS: AtomicUsize = AtomicUsize::new(0);
/// Pools built so far, one per thread count (pools are cheap when idle; rebuilding
/// one on every `set_threads` would spawn threads each time).
static POOLS: parking_lot::Mutex<Vec<(usize, Arc<rayon::ThreadPool>)>> = parking_lot::Mutex::new(Vec::new());

/// The thread count the environment asks for: `RGRAD_NUM_THREADS`, else `OMP_NUM_THREADS`
/// (positive integers; anything else is ignored), else the CPUs this process may use.
pub fn env_threads() -> usize {
    for var in ["RGRAD_NUM_THREADS", "OMP_NUM_THREADS"] {
        if let Some(n) = std::env::var(var).ok().and_then(|v| v.trim().parse::<usize>().ok()).filter(|&n| n > 0) {
            return n;
        }
    }
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

/// Threads a kernel may use at once (the calling thread included).
#[inline(always)]
pub fn threads() -> usize {
    match THREADS.load(Ordering::Relaxed) {
        0 => init_threads(),
        n => n,
    }
}

#[cold]
fn init_threads() -> usize {
    let _ = THREADS.compare_exchange(0, env_threads(), Ordering::Relaxed, Ordering::Relaxed);
    THREADS.load(Ordering::Relaxed)
}

/// Sets the number of threads kernels use from now on (`n >= 1`).
pub fn set_threads(n: usize) {
    assert!(n >= 1, "set_threads: need at least one thread");
    THREADS.store(n, Ordering::Relaxed);
}

/// The pool of the current thread count.
pub fn pool() -> Arc<rayon::ThreadPool> {
    let n = threads();
    let mut pools = POOLS.lock();
    if let Some((_, p)) = pools.iter().find(|(k, _)| *k == n) {
        return p.clone();
    }
    let p = Arc::new(
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .thread_name(|i| format!("rgrad-{i}"))
            .build()
            .expect("rgrad: could not start the worker threads"),
    );
    pools.push((n, p.clone()));
    p
}

/// Runs `f` so that rayon's parallel iterators inside it use the current pool. Inside a
/// worker of that pool `f` just runs; from any other thread the caller waits for it.
/// (With one thread that is a one-worker pool, so a `par_iter` in `f` never reaches
/// rayon's global pool.)
pub fn install<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    pool().install(f)
}
/// One thread's share of the tasks, `[front, back)`, packed into one atomic so the
/// owner (taking from the front) and thieves (from the back) never take the same task.
struct Share(AtomicU64);

impl Share {
    fn new(front: usize, back: usize) -> Share {
        Share(AtomicU64::new(((back as u64) << 32) | front as u64))
    }
    /// Claims the next task from the front (`owner`) or the back.
    fn take(&self, owner: bool) -> Option<usize> {
        let mut cur = self.0.load(Ordering::Relaxed);
        loop {
            let (front, back) = (cur & 0xFFFF_FFFF, cur >> 32);
            if front >= back {
                return None;
            }
            let (next, task) = if owner { (cur + 1, front) } else { (((back - 1) << 32) | front, back - 1) };
            match self.0.compare_exchange_weak(cur, next, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => return Some(task as usize),
                Err(now) => cur = now,
            }
        }
    }
}

/// One `for_each_task` call as the helper threads see it.
struct Job {
    shares: Vec<Share>,
    /// Helpers number themselves in the order they start; the caller is share 0.
    joined: AtomicUsize,
    /// Tasks finished (or panicked): the caller returns once all `n` are.
    done: AtomicUsize,
    panic: parking_lot::Mutex<Option<Box<dyn std::any::Any + Send>>>,
    /// The caller's `f`, with its lifetime erased (see the safety note in `for_each_task`).
    f: *const (dyn Fn(usize) + Sync),
}

// SAFETY: `f` is `Sync` and only called while the caller is waiting (see `for_each_task`).
unsafe impl Send for Job {}
// SAFETY: the helpers share a `&Job`: its counters are atomics, `panic` a mutex, the shares
// hand out tasks through atomics, and `f` points at a `Sync` closure that is only called
// while the caller waits with it alive.
unsafe impl Sync for Job {}

impl Job {
    /// Runs tasks, own share first, then the others' from the back, until none are left.
    fn work(&self, me: usize) {
        let t = self.shares.len();
        for k in 0..t {
            let share = &self.shares[(me + k) % t];
            while let Some(i) = share.take(k == 0) {
                // SAFETY: a task was claimed, so the caller has not seen `done == n` yet and
                // is still waiting with `f` alive.
                let f = unsafe { &*self.f };
                if let Err(p) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(i))) {
                    self.panic.lock().get_or_insert(p);
                }
                self.done.fetch_add(1, Ordering::Release);
            }
        }
    }
}

/// Runs `f(i)` for every `i` in `0..n`, each exactly once, possibly concurrently.
///
/// Helpers are detached rayon jobs rather than scoped ones: the caller returns as soon as
/// every task is done, without waiting for a helper that was woken too late to take any
/// (a sleeping worker can take a long time to be scheduled on a busy VM).
pub fn for_each_task(n: usize, f: impl Fn(usize) + Sync) {
    let threads = threads();
    if n <= 1 || threads <= 1 {
        (0..n).for_each(f);
        return;
    }
    if rayon::current_thread_index().is_some() || n > u32::MAX as usize {
        // already on a pool thread (nested parallelism): plain rayon splitting, in that pool
        (0..n).into_par_iter().for_each(&f);
        return;
    }
    let pool = pool();
    let t = threads.min(n);
    let f: &(dyn Fn(usize) + Sync) = &f;
    // SAFETY: the pointer outlives this call in `Job`, but it is dereferenced only after a
    // task is claimed, every claimed task bumps `done` when it finishes, and this function
    // returns only once `done == n`, when no task is left to claim.
    let f: *const (dyn Fn(usize) + Sync + 'static) = unsafe { std::mem::transmute(f as *const (dyn Fn(usize) + Sync)) };
    let job = Arc::new(Job {
        shares: (0..t).map(|j| Share::new(j * n / t, (j + 1) * n / t)).collect(),
        joined: AtomicUsize::new(1),
        done: AtomicUsize::new(0),
        panic: parking_lot::Mutex::new(None),
        f,
    });
    for _ in 1..t {
        let job = job.clone();
        pool.spawn(move || job.work(job.joined.fetch_add(1, Ordering::Relaxed)));
    }
    job.work(0);
    // wait for tasks helpers are still running
    let mut spins = 0u32;
    while job.done.load(Ordering::Acquire) < n {
        spins += 1;
        if spins < 1 << 12 {
            std::hint::spin_loop();
        } else {
            std::thread::yield_now();
        }
    }
    let panic = job.panic.lock().take();
    if let Some(p) = panic {
        std::panic::resume_unwind(p);
    }
}

/// `for_each_task` collecting one result per task, in task order.
pub fn map_tasks<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let slots: Vec<parking_lot::Mutex<Option<T>>> = (0..n).map(|_| parking_lot::Mutex::new(None)).collect();
    for_each_task(n, |i| *slots[i].lock() = Some(f(i)));
    slots.into_iter().map(|s| s.into_inner().expect("every task ran")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_task_runs_once() {
        for n in [0, 1, 2, 3, 7, 64, 1001] {
            let counts: Vec<AtomicUsize> = (0..n).map(|_| AtomicUsize::new(0)).collect();
            for_each_task(n, |i| {
                counts[i].fetch_add(1, Ordering::Relaxed);
            });
            assert!(counts.iter().all(|c| c.load(Ordering::Relaxed) == 1), "n = {n}");
        }
    }

    #[test]
    fn a_panicking_task_reaches_the_caller() {
        let r = std::panic::catch_unwind(|| {
            for_each_task(64, |i| {
                if i == 40 {
                    panic!("task 40");
                }
            })
        });
        assert!(r.is_err());
        // the pool still works afterwards
        let sum = AtomicUsize::new(0);
        for_each_task(100, |i| {
            sum.fetch_add(i, Ordering::Relaxed);
        });
        assert_eq!(sum.load(Ordering::Relaxed), 4950);
    }

    #[test]
    fn shares_split_front_and_back() {
        let s = Share::new(2, 5);
        assert_eq!(s.take(true), Some(2));
        assert_eq!(s.take(false), Some(4));
        assert_eq!(s.take(false), Some(3));
        assert_eq!(s.take(true), None);
        assert_eq!(s.take(false), None);
    }
}
