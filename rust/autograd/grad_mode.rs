//! Thread-local grad mode, as PyTorch: `no_grad`, `enable_grad`, `set_grad_enabled`.
//!
//! # Example
//!
//! The items of this module at work, one block each (a single doctest: `cargo test` builds one
//! program for them, not one per item):
//!
//! ```
//! // GradModeGuard
//! {
//!     use rgrad::autograd::{is_grad_enabled, GradModeGuard};
//!     assert!(is_grad_enabled());
//!     {
//!         let _off = GradModeGuard::new(false);
//!         assert!(!is_grad_enabled());
//!     }
//!     assert!(is_grad_enabled()); // restored when the guard dropped
//! }
//! // no_grad
//! {
//!     use rgrad::Tensor;
//!     use rgrad::autograd::no_grad;
//!     let w = Tensor::from_slice(&[1.0f32, 2.0], &[2]).unwrap();
//!     w.set_requires_grad(true).unwrap();
//!     // an optimizer-style update: not recorded, so `w` stays a leaf
//!     no_grad(|| w.sub_(&w.mul_scalar(0.5)?)).unwrap();
//!     assert!(w.is_leaf() && w.grad_fn().is_none());
//!     assert_eq!(w.to_vec::<f32>().unwrap(), vec![0.5, 1.0]);
//!     // results made inside do not require grad
//!     assert!(!no_grad(|| w.mul_scalar(2.0)).unwrap().requires_grad());
//! }
//! ```

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

thread_local! {
    static GRAD_ENABLED: Cell<bool> = const { Cell::new(true) };
}

/// How many threads have grad mode off right now. While it is zero every thread has it on, and
/// `is_grad_enabled` answers without the thread-local: in a shared library each thread-local
/// read is a call into the dynamic loader (`__tls_get_addr`), and every view asks.
/// A thread that exits with grad mode off leaves the count raised; answers stay right, only
/// the shortcut is lost.
static THREADS_WITH_GRAD_OFF: AtomicUsize = AtomicUsize::new(0);

/// Whether ops on this thread record autograd history (`torch.is_grad_enabled()`); true by default.
#[inline]
pub fn is_grad_enabled() -> bool {
    // A thread's own change to the count is visible to itself, so a thread that turned grad
    // mode off never sees zero here; a count raised by another thread only sends this one to
    // its thread-local, which says on.
    THREADS_WITH_GRAD_OFF.load(Ordering::Relaxed) == 0 || this_thread_grad_enabled()
}

// Out of line, so the thread-local's address is not computed on the common path.
#[cold]
#[inline(never)]
fn this_thread_grad_enabled() -> bool {
    GRAD_ENABLED.with(|g| g.get())
}

/// Turns gradient recording on or off for this thread (`torch.set_grad_enabled`).
/// Prefer [`GradModeGuard`] or [`no_grad`] for a scoped change.
pub fn set_grad_enabled(on: bool) {
    let was = GRAD_ENABLED.with(|g| g.replace(on));
    if was && !on {
        THREADS_WITH_GRAD_OFF.fetch_add(1, Ordering::Relaxed);
    } else if !was && on {
        THREADS_WITH_GRAD_OFF.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Restores the previous grad mode when dropped.
pub struct GradModeGuard {
    prev: bool,
}

impl GradModeGuard {
    /// Sets this thread's grad mode to `on`; the previous mode comes back when the guard drops.
    pub fn new(on: bool) -> GradModeGuard {
        let prev = is_grad_enabled();
        set_grad_enabled(on);
        GradModeGuard { prev }
    }
}

impl Drop for GradModeGuard {
    fn drop(&mut self) {
        set_grad_enabled(self.prev);
    }
}

/// Runs `f` with gradient recording off.
///
/// The closure form of [`GradModeGuard`]; grad mode is per thread.
pub fn no_grad<R>(f: impl FnOnce() -> R) -> R {
    let _g = GradModeGuard::new(false);
    f()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Grad mode stays per thread with the shared count in play: one thread turning it off
    /// (and nesting guards) changes nothing for another.
    #[test]
    fn grad_mode_is_per_thread() {
        let (off_tx, off_rx) = std::sync::mpsc::channel();
        let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
        let other = std::thread::spawn(move || {
            let _g = GradModeGuard::new(false);
            {
                let _inner = GradModeGuard::new(false);
                assert!(!is_grad_enabled());
            }
            assert!(!is_grad_enabled());
            off_tx.send(()).unwrap();
            done_rx.recv().unwrap();
            assert!(!is_grad_enabled());
        });
        off_rx.recv().unwrap();
        assert!(is_grad_enabled(), "another thread's no_grad leaked into this one");
        no_grad(|| assert!(!is_grad_enabled()));
        assert!(is_grad_enabled());
        done_tx.send(()).unwrap();
        other.join().unwrap();
        assert!(is_grad_enabled());
    }
}
