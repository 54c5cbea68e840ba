//! Autograd of in-place writes through views (PyTorch's CopySlices).
//!
//! A view shares its base's storage, so `v = y[0:2]; v.mul_(2)` changes `y` too: `y`'s
//! gradient must go through the multiplication. The in-place op records its node `N` as
//! usual (on `v`); `rebase_inplace` then wraps it in a `CopySlices` node that becomes the
//! *base's* `grad_fn`:
//!
//! ```text
//! CopySlices(g_base) = g_base with the view's region replaced by N(g_base[view])[self],
//!                      plus N's gradients for the op's other inputs
//! ```
//!
//! and the view's own `grad_fn` becomes `AsStridedBackward0` (the view's region of the
//! base's new history). Other views of the same base notice the write through the storage
//! version counter and regenerate their history lazily (`Tensor::refresh_view_history`).
//!
//! All three helpers used in backward are differentiable ops (`ops/view.rs`), so
//! `create_graph=True` works through rebased views.

use crate::autograd::node::{BackwardFn, Edge, Node, SavedTensor};
use crate::autograd::{is_grad_enabled, record};
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::tensor::Tensor;
use std::sync::Arc;

/// Where a view sits inside its base: both layouts, over one storage of `storage_len` elements.
pub struct ViewGeometry {
    /// The base's layout (its shape is the shape of the base's gradient).
    pub base: Layout,
    /// The view's layout over the same storage.
    pub view: Layout,
    /// The storage's length in elements, so a gradient buffer can reproduce both layouts.
    pub storage_len: usize,
}

impl ViewGeometry {
    /// The geometry of `view` inside `base` (which share a storage).
    pub fn of(view: &Tensor, base: &Tensor) -> Arc<ViewGeometry> {
        Arc::new(ViewGeometry {
            base: base.layout().clone(),
            view: view.layout().clone(),
            storage_len: base.storage().nbytes() / base.dtype().size().max(1),
        })
    }
}

/// Checks PyTorch makes before any in-place write, for the view-related cases:
/// overlapping memory, views of leaves that require grad, and views made under `no_grad`.
pub(crate) fn check_inplace_view(t: &Tensor) -> Result<()> {
    check_no_internal_overlap(t)?;
    check_view_autograd(t)
}

/// A write of computed values (copy_, add_, ...) into memory that several elements share
/// would depend on the order of the writes: refused, as PyTorch. (Writing one value, as
/// fill_ or `t[...] = 0` do, is fine, and PyTorch allows it.)
pub(crate) fn check_no_internal_overlap(t: &Tensor) -> Result<()> {
    if t.shape().iter().zip(t.strides()).any(|(&n, &s)| n > 1 && s == 0) {
        return Err(Error::Runtime(
            "unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation.".into(),
        ));
    }
    Ok(())
}

/// The autograd cases of `check_inplace_view`: views of leaves that require grad, and views
/// made under `no_grad`.
pub(crate) fn check_view_autograd(t: &Tensor) -> Result<()> {
    let Some(view) = &t.0.view else { return Ok(()) };
    if !is_grad_enabled() {
        return Ok(());
    }
    let base = &view.base;
    if base.requires_grad() && !view.grad_mode {
        return Err(Error::Runtime(
            "A view was created in no_grad mode and is being modified inplace with grad mode enabled. Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both the view and the inplace either both inside the no_grad block (if you don't want the inplace to be tracked) or both outside (if you want the inplace to be tracked).".into(),
        ));
    }
    if base.is_leaf() && base.requires_grad() {
        return Err(Error::Runtime("a view of a leaf Variable that requires grad is being used in an in-place operation.".into()));
    }
    Ok(())
}

/// Whether recording `out = op(inputs)` is an in-place write through a view that must be
/// rebased: `out` is one of the inputs and is a view.
///
/// A view made under `no_grad` of a base that doesn't require grad, written with a value
/// that does, is rebased too: PyTorch refuses that case as ambiguous (after the write), but
/// rgrad's `record` cannot fail, and tracking the write gives the base its true gradient
/// rather than silently dropping it.
pub(crate) fn is_inplace_on_view(out: &Tensor, inputs: &[&Tensor]) -> Option<usize> {
    out.0.view.as_ref()?;
    inputs.iter().position(|t| t.ptr_eq(out))
}

/// Installs node `n` (just built for the in-place op on view `out`, whose input `slot` is
/// `out` itself) as a CopySlices node on the base, and regenerates the view's history.
pub(crate) fn rebase_inplace(
    out: &Tensor,
    slot: usize,
    mut next: Vec<Edge>,
    saved: Vec<SavedTensor>,
    backward: BackwardFn,
) {
    let base = out.view_base().expect("rebase of a view").clone();
    let geom = ViewGeometry::of(out, &base);
    // the base's edge replaces the view's: the op's "self" gradient lands in the base's region
    next[slot] = Edge { node: base.grad_edge(), shape: base.shape().into(), dtype: base.dtype() };
    let copy_slices = move |s: &[Tensor], g: &Tensor| -> Result<Vec<Option<Tensor>>> {
        let g_view = g.take_view_region(&geom)?;
        let mut grads = backward(s, &g_view)?;
        let g_self = grads.get_mut(slot).and_then(Option::take);
        let g_self = match g_self {
            Some(gs) if gs.shape() != g_view.shape() => Some(gs.sum_to_shape(g_view.shape())?),
            other => other,
        };
        grads[slot] = Some(g.replace_view_region(&geom, g_self.as_ref())?);
        Ok(grads)
    };
    let node = Node::new_op("CopySlices", next, saved, Box::new(copy_slices));
    base.set_grad_fn(Some(Arc::new(node)));
    regenerate_view_history(out, &base);
}

/// The view's history as "its region of the base's current history" (AsStridedBackward0),
/// stamped with the storage version it reflects.
fn regenerate_view_history(view: &Tensor, base: &Tensor) {
    let version = view.version();
    if base.requires_grad() {
        let geom = ViewGeometry::of(view, base);
        record("AsStridedBackward0", view, &[base], vec![], move |_, g| Ok(vec![Some(g.embed_view_in_base(&geom)?)]));
    }
    view.0.meta.lock().view_version = version;
}

impl Tensor {
    /// If this is a view whose storage was written since its history was made, and the base
    /// requires grad, rebuild the history from the base (so it sees the write).
    pub(crate) fn refresh_view_history(&self) {
        let Some(view) = &self.0.view else { return };
        if !view.grad_mode {
            return;
        }
        let version = self.version();
        if self.0.meta.lock().view_version == version {
            return;
        }
        regenerate_view_history(self, &view.base);
    }
}
