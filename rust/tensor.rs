//! `Tensor`: a cheap handle (one `Arc`) to storage + layout + dtype + autograd
//! metadata. Cloning a `Tensor` clones the handle, not the data.
//!
//! This file holds the handle and its metadata only; what reads or writes elements (creators
//! that fill, copies, `to_vec`, `item`) is an op (`rust/ops/creation.rs`, `rust/ops/copy.rs`),
//! which goes through the backend.
//!
//! # Example
//!
//! The items of this module at work, one block each (a single doctest: `cargo test` builds one
//! program for them, not one per item):
//!
//! ```
//! // Tensor
//! {
//!     use rgrad::{DType, Device, Tensor};
//!     let a = Tensor::zeros(&[2, 3], DType::F32).unwrap();
//!     let b = Tensor::zeros_on(&[2, 3], DType::F32, Device::Cpu).unwrap();
//!     assert_eq!(a.device(), b.device());
//!     assert_eq!(a.to_vec::<f32>().unwrap(), b.to_vec::<f32>().unwrap());
//! }
//! // empty
//! {
//!     use rgrad::{DType, Device, Tensor};
//!     let t = Tensor::empty(&[2, 3], DType::F32).unwrap();
//!     assert_eq!((t.shape(), t.dtype(), t.device()), (&[2, 3][..], DType::F32, Device::Cpu));
//! }
//! // zeros
//! {
//!     use rgrad::{DType, Tensor};
//!     let t = Tensor::zeros(&[2, 2], DType::I64).unwrap();
//!     assert_eq!(t.to_vec::<i64>().unwrap(), vec![0; 4]);
//! }
//! // set_requires_grad
//! {
//!     use rgrad::{DType, Tensor};
//!     let x = Tensor::from_slice(&[1.0f64, 2.0, 3.0], &[3]).unwrap();
//!     x.set_requires_grad(true).unwrap();
//!     let loss = x.mul(&x).unwrap().sum().unwrap(); // sum(x^2)
//!     assert!(loss.requires_grad() && !loss.is_leaf());
//!     loss.backward().unwrap();
//!     assert_eq!(x.grad().unwrap().to_vec::<f64>().unwrap(), vec![2.0, 4.0, 6.0]); // d/dx = 2x
//!     // integer tensors cannot require grad
//!     assert!(Tensor::zeros(&[2], DType::I64).unwrap().set_requires_grad(true).is_err());
//! }
//! // detach
//! {
//!     use rgrad::Tensor;
//!     let x = Tensor::from_slice(&[1.0f32, 2.0], &[2]).unwrap();
//!     x.set_requires_grad(true).unwrap();
//!     let y = x.mul_scalar(3.0).unwrap();
//!     let d = y.detach();
//!     assert!(y.requires_grad() && !d.requires_grad() && d.grad_fn().is_none());
//!     assert!(d.same_storage(&y)); // no copy: the same elements, outside the graph
//! }
//! ```

use crate::autograd::node::{Hook, Node};
use crate::device::Device;
use crate::dtype::{default_float, DType};
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::shape;
use crate::storage::Storage;
use parking_lot::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

/// Autograd state of one tensor. PyTorch lets users mutate all of it
/// (`requires_grad_()`, `.grad = ...`, `detach_()`), hence the Mutex.
#[derive(Default)]
pub struct AutogradMeta {
    /// The `requires_grad` flag as set on a leaf; a non-leaf requires grad through `grad_fn`.
    pub requires_grad: bool,
    /// The accumulated gradient (`.grad`).
    pub grad: Option<Tensor>,
    /// The node that produced this tensor (`.grad_fn`); `None` for leaves.
    pub grad_fn: Option<Arc<Node>>,
    /// Leaves only: the AccumulateGrad node, made on first use.
    pub accumulator: Option<Arc<Node>>,
    /// Set by `retain_grad()` on a non-leaf (`.retains_grad`).
    pub retains_grad: bool,
    /// Views only: the storage version when `grad_fn` was last made. A later write to the
    /// storage (through any alias) makes it stale, and the view's history is regenerated
    /// from its base (see `autograd::views`).
    pub view_version: u64,
}

/// A view's link to the tensor whose storage it looks into (PyTorch's `_base`). An in-place
/// write through the view must rewrite the base's autograd history (PyTorch's CopySlices).
pub struct ViewOf {
    /// The root tensor: never itself a view, and sharing the view's storage.
    pub base: Tensor,
    /// Whether grad mode was on when the view was made. PyTorch refuses in-place writes
    /// with grad mode on through views made under `no_grad` of a base that requires grad.
    pub grad_mode: bool,
}

/// A tensor's `Arc<Storage>`: owned by a root tensor, borrowed by a view.
///
/// A view also holds its base (`ViewOf::base`), a root over the same storage, and the base
/// keeps the storage alive for as long as the view lives. So a view's copy of the pointer
/// does not take a reference of its own: that is two locked read-modify-writes saved on each
/// view made and dropped, a measurable part of a small `t[0]`. Reading through it is the
/// same as through the `Arc`; cloning it makes a real, counted reference.
pub(crate) struct StorageRef {
    arc: std::mem::ManuallyDrop<Arc<Storage>>,
    owned: bool,
}

impl StorageRef {
    pub(crate) fn owned(arc: Arc<Storage>) -> StorageRef {
        StorageRef { arc: std::mem::ManuallyDrop::new(arc), owned: true }
    }
    /// The storage of `base`, for a view of it.
    ///
    /// # Safety
    /// The returned reference must not outlive `base`'s storage: the view that holds it must
    /// also hold `base` (a root, whose reference is owned).
    unsafe fn borrowed_from(base: &TensorImpl) -> StorageRef {
        debug_assert!(base.storage.owned);
        StorageRef { arc: std::mem::ManuallyDrop::new(std::ptr::read(&*base.storage.arc)), owned: false }
    }
}

impl std::ops::Deref for StorageRef {
    type Target = Arc<Storage>;
    #[inline(always)]
    fn deref(&self) -> &Arc<Storage> {
        &self.arc
    }
}

impl Drop for StorageRef {
    fn drop(&mut self) {
        if self.owned {
            // SAFETY: an owned reference is dropped exactly once, here.
            unsafe { std::mem::ManuallyDrop::drop(&mut self.arc) }
        }
    }
}

/// The shared state behind a [`Tensor`] handle: storage, layout, dtype and autograd
/// metadata. Each view has its own `TensorImpl` over the same storage.
pub struct TensorImpl {
    pub(crate) storage: StorageRef,
    pub(crate) layout: Layout,
    pub(crate) dtype: DType,
    /// A Python number turned into a tensor: ranks lowest in type promotion.
    pub(crate) wrapped_number: bool,
    pub(crate) meta: Mutex<AutogradMeta>,
    /// `meta.requires_grad || meta.grad_fn.is_some()`, kept in step under the `meta` lock so
    /// `requires_grad()`, asked on every op, is one load instead of a lock and unlock.
    pub(crate) needs_grad: AtomicBool,
    /// Set, and never cleared, once `meta` holds a grad, a grad_fn or an AccumulateGrad node:
    /// while unset, dropping the tensor releases no autograd state (see `drop_is_rust_only`).
    pub(crate) meta_used: AtomicBool,
    /// `Some` for views (results of view ops sharing another tensor's storage).
    pub(crate) view: Option<ViewOf>,
}

/// A tensor (`torch.Tensor`): one `Arc` to a [`TensorImpl`].
///
/// Cloning copies the handle, like a Python reference: both clones are the same tensor, with
/// the same data and autograd state. Views share the storage but have their own layout and
/// autograd state.
///
/// # Creating tensors
///
/// Every creator has two forms. The plain form makes the tensor on the CPU; the `_on` form
/// takes a [`Device`] as its last argument and makes it there:
///
/// | CPU | any device |
/// |---|---|
/// | [`empty`](Tensor::empty), [`zeros`](Tensor::zeros), [`ones`](Tensor::ones)`(shape, dtype)` | [`empty_on`](Tensor::empty_on), [`zeros_on`](Tensor::zeros_on), [`ones_on`](Tensor::ones_on)`(shape, dtype, device)` |
/// | [`full`](Tensor::full)`(shape, value, dtype)` | [`full_on`](Tensor::full_on)`(shape, value, dtype, device)` |
/// | [`from_slice`](Tensor::from_slice)`(data, shape)` | [`from_slice_on`](Tensor::from_slice_on)`(data, shape, device)` |
/// | [`scalar`](Tensor::scalar)`(value, dtype)` | [`scalar_on`](Tensor::scalar_on)`(value, dtype, device)` |
/// | [`arange`](Tensor::arange), [`linspace`](Tensor::linspace), [`eye`](Tensor::eye) | [`arange_on`](Tensor::arange_on), [`linspace_on`](Tensor::linspace_on), [`eye_on`](Tensor::eye_on) |
/// | [`rand`](Tensor::rand), [`randn`](Tensor::randn), [`randint`](Tensor::randint) | [`rand_on`](Tensor::rand_on), [`randn_on`](Tensor::randn_on), [`randint_on`](Tensor::randint_on) |
///
/// The `*_like` methods ([`zeros_like`](Tensor::zeros_like), [`ones_like`](Tensor::ones_like))
/// take shape, dtype and device from `self`. Naming a device that is not available (a GPU in a
/// build without the `gpu` feature, or on a machine without an adapter) is an `Err`, never a
/// silent fallback to the CPU.
#[derive(Clone)]
pub struct Tensor(pub(crate) Arc<TensorImpl>);

static NEXT_HOOK_ID: AtomicU64 = AtomicU64::new(1);

impl Tensor {
    // ---------- construction ----------

    pub(crate) fn from_impl(i: Arc<TensorImpl>) -> Tensor {
        Tensor(i)
    }

    /// A root tensor (not a view, no autograd history) over existing storage with the given layout.
    pub fn from_parts(storage: Arc<Storage>, layout: Layout, dtype: DType) -> Tensor {
        Tensor(Arc::new(TensorImpl { storage: StorageRef::owned(storage), layout, dtype, wrapped_number: false, meta: Mutex::new(AutogradMeta::default()), needs_grad: AtomicBool::new(false), meta_used: AtomicBool::new(false), view: None }))
    }

    /// A 0-d root tensor standing for a Python number (ranks lowest in type promotion).
    pub(crate) fn wrapped_from_parts(storage: Arc<Storage>, dtype: DType) -> Tensor {
        Tensor(Arc::new(TensorImpl { storage: StorageRef::owned(storage), layout: Layout::contiguous(&[]), dtype, wrapped_number: true, meta: Mutex::new(AutogradMeta::default()), needs_grad: AtomicBool::new(false), meta_used: AtomicBool::new(false), view: None }))
    }

    /// A view of `self`'s storage with another layout, linked to `self`'s base for autograd
    /// of in-place writes (no graph recorded here; the view op records its own backward).
    #[inline]
    pub(crate) fn with_layout(&self, layout: Layout) -> Tensor {
        let base = match &self.0.view {
            Some(v) => v.base.clone(),
            None => self.clone(),
        };
        let view = ViewOf { base, grad_mode: crate::autograd::is_grad_enabled() };
        // Allocate first, then write each field in place: `Arc::new(value)` builds the 200-byte
        // impl on the stack and copies it over in misaligned chunks that stall on the stores
        // just made, a measurable part of a small `t[0]`.
        // (`Arc::new` of an uninit value: `Arc::new_uninit` computes its layout out of line)
        let slot = Arc::new(std::mem::MaybeUninit::<TensorImpl>::uninit());
        // Not `Arc::get_mut`: its uniqueness check is a locked compare-exchange.
        let p = Arc::as_ptr(&slot).cast_mut().cast::<TensorImpl>();
        // SAFETY: `p` points into the new allocation, which nothing else can reach yet (the
        // same reasoning as std's `get_mut_unchecked`); every field is written exactly once
        // before `assume_init`.
        unsafe {
            // the view holds `base`, a root over the same storage (see `StorageRef`)
            std::ptr::addr_of_mut!((*p).storage).write(StorageRef::borrowed_from(&view.base.0));
            std::ptr::addr_of_mut!((*p).layout).write(layout);
            std::ptr::addr_of_mut!((*p).dtype).write(self.0.dtype);
            std::ptr::addr_of_mut!((*p).wrapped_number).write(false);
            // default then set: a built `meta` value is copied in through the same stall
            std::ptr::addr_of_mut!((*p).meta).write(Mutex::new(AutogradMeta::default()));
            (*p).meta.get_mut().view_version = self.0.storage.version();
            std::ptr::addr_of_mut!((*p).needs_grad).write(AtomicBool::new(false));
            std::ptr::addr_of_mut!((*p).meta_used).write(AtomicBool::new(false));
            std::ptr::addr_of_mut!((*p).view).write(Some(view));
            Tensor(slot.assume_init())
        }
    }

    /// Whether dropping this handle would only return Rust-owned memory: no storage borrowed
    /// from a Python object (a NumPy array) and no autograd state (which can hold Python
    /// hooks) is released. True when another handle keeps the tensor alive, or when nothing was
    /// ever stored in its autograd metadata and its storage (a view's: its base) either stays
    /// alive through another handle or was allocated here.
    ///
    /// The Python bindings free such a tensor's object without attaching PyO3's per-call state.
    /// The counts are read without ordering: a concurrent drop elsewhere can only make the
    /// answer wrong towards "false would have been right", and then the Python objects are
    /// still released, through PyO3's deferred-release pool at its next call.
    #[inline]
    pub fn drop_is_rust_only(&self) -> bool {
        let i = &*self.0;
        if Arc::strong_count(&self.0) > 1 {
            return true;
        }
        if i.meta_used.load(Ordering::Relaxed) {
            return false;
        }
        match &i.view {
            Some(v) => Arc::strong_count(&v.base.0) > 1,
            None => Arc::strong_count(&i.storage) > 1 || !i.storage.is_borrowed(),
        }
    }

    /// `Tensor._base`: the tensor this view looks into (`None` if not a view).
    pub fn view_base(&self) -> Option<&Tensor> {
        self.0.view.as_ref().map(|v| &v.base)
    }

    /// A contiguous CPU tensor whose contents are unspecified (`torch.empty`): the memory is
    /// initialised, but to no particular values, so write it before reading it.
    pub fn empty(shape: &[usize], dtype: DType) -> Result<Tensor> {
        Tensor::empty_on(shape, dtype, Device::Cpu)
    }

    /// [`Tensor::empty`] on `device`.
    pub fn empty_on(shape: &[usize], dtype: DType, device: Device) -> Result<Tensor> {
        let n = shape::numel_checked(shape)?;
        let storage = Storage::uninit(n, dtype, device)?;
        Ok(Tensor::from_parts(Arc::new(storage), Layout::contiguous(shape), dtype))
    }

    /// A contiguous CPU tensor of zeros (`torch.zeros`).
    pub fn zeros(shape: &[usize], dtype: DType) -> Result<Tensor> {
        Tensor::zeros_on(shape, dtype, Device::Cpu)
    }

    /// [`Tensor::zeros`] on `device`.
    pub fn zeros_on(shape: &[usize], dtype: DType, device: Device) -> Result<Tensor> {
        let n = shape::numel_checked(shape)?;
        let storage = Storage::zeroed(n, dtype, device)?;
        Ok(Tensor::from_parts(Arc::new(storage), Layout::contiguous(shape), dtype))
    }

    // ---------- attributes ----------

    /// Size of each dim (`Tensor.shape`).
    pub fn shape(&self) -> &[usize] {
        &self.0.layout.shape
    }
    /// Same as [`Tensor::shape`].
    pub fn dims(&self) -> &[usize] {
        self.shape()
    }
    /// Number of dims (`Tensor.dim()`).
    pub fn rank(&self) -> usize {
        self.0.layout.rank()
    }
    /// Strides in elements, signed, one per dim (`Tensor.stride()`).
    pub fn strides(&self) -> &[isize] {
        &self.0.layout.strides
    }
    /// Shape, strides and storage offset of this view.
    pub fn layout(&self) -> &Layout {
        &self.0.layout
    }
    /// Storage index, in elements, of element 0 (`Tensor.storage_offset()`).
    pub fn storage_offset(&self) -> usize {
        self.0.layout.offset
    }
    /// Element type (`Tensor.dtype`).
    pub fn dtype(&self) -> DType {
        self.0.dtype
    }
    /// Device of the storage (`Tensor.device`).
    pub fn device(&self) -> Device {
        self.0.storage.device()
    }
    /// Number of elements (`Tensor.numel()`).
    pub fn numel(&self) -> usize {
        self.0.layout.numel()
    }
    /// Whether the view is row-major contiguous (`Tensor.is_contiguous()`); size-1 dims
    /// may have any stride.
    pub fn is_contiguous(&self) -> bool {
        self.0.layout.is_contiguous()
    }
    /// The storage this view reads and writes.
    pub fn storage(&self) -> &Arc<Storage> {
        &self.0.storage
    }
    /// Whether this 0-d tensor stands for a Python number (ranks lowest in type promotion).
    pub fn is_wrapped_number(&self) -> bool {
        self.0.wrapped_number
    }
    /// PyTorch-style type name for messages: `torch.FloatTensor`.
    pub fn type_name(&self) -> String {
        format!("rgrad.{}", self.dtype().tensor_type_name())
    }
    /// Storage version, bumped by in-place writes.
    pub fn version(&self) -> u64 {
        self.0.storage.version()
    }
    /// Host address of element 0 of this view, for tensors in host memory (`None` on a GPU).
    /// The backend reaches memory through `Storage::buffer`; this is for the bindings that hand
    /// the address to Python (`data_ptr()`, the NumPy array interface).
    pub fn host_ptr(&self) -> Option<*mut u8> {
        // SAFETY: the view's offset lies inside its storage
        self.0.storage.host_ptr().map(|p| unsafe { p.add(self.0.layout.offset * self.0.dtype.size()) })
    }
    /// For a tensor in device memory: a number naming its buffer and first element (the buffer's
    /// id in the high bits, the byte offset in the low 32), what `data_ptr()` reports; 0 on the
    /// CPU, whose tensors have [`Tensor::host_ptr`].
    pub fn device_address(&self) -> usize {
        match self.0.storage.buffer() {
            #[cfg(feature = "gpu")]
            crate::storage::Buffer::Gpu(b) => ((b.id() as usize) << 32) + self.0.layout.offset * self.0.dtype.size(),
            _ => 0,
        }
    }
    /// Whether both views share one storage (their elements may overlap).
    pub fn same_storage(&self, other: &Tensor) -> bool {
        Arc::ptr_eq(&self.0.storage, &other.0.storage)
    }
    /// Whether both handles are the same tensor (Python `is`).
    pub fn ptr_eq(&self, other: &Tensor) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    // ---------- autograd metadata ----------

    /// `Tensor.requires_grad`: set on a leaf, or implied by having a `grad_fn`.
    pub fn requires_grad(&self) -> bool {
        self.refresh_view_history();
        self.0.needs_grad.load(Ordering::Acquire)
    }
    /// `requires_grad_()`: only leaves may change it; only float tensors may require grad.
    pub fn set_requires_grad(&self, on: bool) -> Result<()> {
        let mut m = self.0.meta.lock();
        if m.grad_fn.is_some() {
            if on {
                return Ok(());
            }
            return Err(Error::Runtime(
                "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().".into(),
            ));
        }
        if on && !self.dtype().is_float() {
            return Err(Error::Runtime(format!(
                "only Tensors of floating point dtype can require gradients (got {})",
                self.dtype()
            )));
        }
        m.requires_grad = on;
        self.0.needs_grad.store(on, Ordering::Release);
        Ok(())
    }
    /// `Tensor.is_leaf`: true when the tensor has no `grad_fn`.
    pub fn is_leaf(&self) -> bool {
        self.refresh_view_history();
        self.0.meta.lock().grad_fn.is_none()
    }
    /// The node that produced this tensor (`Tensor.grad_fn`); `None` for leaves.
    pub fn grad_fn(&self) -> Option<Arc<Node>> {
        self.refresh_view_history();
        self.0.meta.lock().grad_fn.clone()
    }
    /// Gives the tensor a new history (an op's output, or an in-place op rewriting it).
    /// `retain_grad()` follows the tensor to the new node, as PyTorch moves it: after
    /// `y.retain_grad(); y.mul_(2)`, `y.grad` is the gradient of the new `y`.
    pub(crate) fn set_grad_fn(&self, node: Option<Arc<Node>>) {
        let (old, retains) = {
            let mut m = self.0.meta.lock();
            self.0.needs_grad.store(m.requires_grad || node.is_some(), Ordering::Release);
            if node.is_some() {
                self.0.meta_used.store(true, Ordering::Relaxed);
            }
            (std::mem::replace(&mut m.grad_fn, node.clone()), m.retains_grad)
        };
        // (the meta lock is released first: backward locks a node's `retain`, then the meta)
        if retains {
            if let Some(old) = old {
                let mut r = old.retain.lock();
                if r.as_ref().is_some_and(|w| std::ptr::eq(w.as_ptr(), Arc::as_ptr(&self.0))) {
                    *r = None;
                }
            }
            if let Some(n) = &node {
                *n.retain.lock() = Some(Arc::downgrade(&self.0));
            }
        }
    }
    /// The accumulated gradient (`Tensor.grad`), if any.
    pub fn grad(&self) -> Option<Tensor> {
        self.0.meta.lock().grad.clone()
    }
    /// Assigns `Tensor.grad` (`None` clears it); a gradient of another shape or dtype
    /// is an error.
    pub fn set_grad(&self, g: Option<Tensor>) -> Result<()> {
        if let Some(g) = &g {
            if g.shape() != self.shape() {
                return Err(Error::Runtime(format!(
                    "assigned grad has data of a different size: {} vs {}",
                    shape::fmt_shape(g.shape()),
                    shape::fmt_shape(self.shape())
                )));
            }
            if g.dtype() != self.dtype() {
                return Err(Error::Runtime(format!(
                    "assigned grad has data of a different type: {} vs {}",
                    g.type_name(),
                    self.type_name()
                )));
            }
        }
        if g.is_some() {
            self.0.meta_used.store(true, Ordering::Relaxed);
        }
        self.0.meta.lock().grad = g;
        Ok(())
    }
    /// Whether `retain_grad()` was called on this non-leaf (`Tensor.retains_grad`).
    pub fn retains_grad(&self) -> bool {
        self.0.meta.lock().retains_grad
    }
    /// Keep `.grad` for this non-leaf after backward.
    pub fn retain_grad(&self) -> Result<()> {
        self.refresh_view_history();
        let node = {
            let mut m = self.0.meta.lock();
            if m.grad_fn.is_none() {
                if !m.requires_grad {
                    return Err(Error::Runtime("can't retain_grad on Tensor that has requires_grad=False".into()));
                }
                return Ok(()); // leaves always keep their grad
            }
            m.retains_grad = true;
            m.grad_fn.clone().unwrap()
        };
        *node.retain.lock() = Some(Arc::downgrade(&self.0));
        Ok(())
    }

    /// The node gradients for this tensor flow into: its grad_fn, or (for a leaf
    /// that requires grad) its AccumulateGrad node, created on first use.
    pub(crate) fn grad_edge(&self) -> Option<Arc<Node>> {
        self.refresh_view_history();
        let mut m = self.0.meta.lock();
        if let Some(f) = &m.grad_fn {
            return Some(f.clone());
        }
        if !m.requires_grad {
            return None;
        }
        if m.accumulator.is_none() {
            self.0.meta_used.store(true, Ordering::Relaxed);
            m.accumulator = Some(Arc::new(Node::new_accumulate(&self.0)));
        }
        m.accumulator.clone()
    }

    /// Registers a gradient hook; returns its id for `remove_hook`.
    pub fn register_hook(&self, hook: Hook) -> Result<u64> {
        self.register_hook_owned(hook, None)
    }
    /// `register_hook` for a hook that keeps `owner` alive (see [`crate::autograd::node::HookOwner`]).
    pub fn register_hook_owned(&self, hook: Hook, owner: crate::autograd::node::HookOwner) -> Result<u64> {
        let node = self.grad_edge().ok_or_else(|| {
            Error::Runtime("cannot register a hook on a tensor that doesn't require gradient".into())
        })?;
        let id = NEXT_HOOK_ID.fetch_add(1, Ordering::Relaxed);
        node.hooks.lock().push((id, hook, owner));
        Ok(id)
    }
    /// Removes the hook `register_hook` returned `id` for; an unknown id is ignored.
    pub fn remove_hook(&self, id: u64) {
        if let Some(node) = self.grad_edge() {
            node.hooks.lock().retain(|(i, _, _)| *i != id);
        }
    }

    /// This tensor's own nodes (grad_fn, AccumulateGrad) when nothing but this handle can reach
    /// them: it is the tensor's only handle and no other node has an edge to them. Only then do
    /// their hooks' owners belong to this handle alone, for a garbage collector's traversal:
    /// reporting what a live graph still holds would let the collector clear a hook that a later
    /// backward runs. A lock held elsewhere also answers "none": the collector runs with the
    /// GIL held and must not wait on a thread that may be waiting for the GIL; it only keeps
    /// the hooks until a later collection.
    fn exclusive_nodes(&self) -> Vec<Arc<Node>> {
        if Arc::strong_count(&self.0) != 1 || !self.0.meta_used.load(Ordering::Relaxed) {
            return Vec::new();
        }
        let Some(m) = self.0.meta.try_lock() else { return Vec::new() };
        // a count of 1 is the meta's own reference (checked before the clone)
        [&m.grad_fn, &m.accumulator].into_iter().flatten().filter(|n| Arc::strong_count(n) == 1).cloned().collect()
    }
    /// Calls `f` on the owner of every hook that only this handle can reach (see `exclusive_nodes`).
    pub fn for_each_exclusive_hook_owner(&self, mut f: impl FnMut(&(dyn std::any::Any + Send + Sync))) {
        for node in self.exclusive_nodes() {
            let Some(hooks) = node.hooks.try_lock() else { continue };
            for (_, _, owner) in hooks.iter() {
                if let Some(o) = owner {
                    f(o.as_ref());
                }
            }
        }
    }
    /// Takes out the owned hooks that only this handle can reach (a garbage collector breaking a
    /// cycle through them); the caller drops them, outside any lock.
    pub fn take_exclusive_owned_hooks(&self) -> Vec<(u64, Hook, crate::autograd::node::HookOwner)> {
        let mut out = Vec::new();
        for node in self.exclusive_nodes() {
            let Some(mut hooks) = node.hooks.try_lock() else { continue };
            let (owned, rest): (Vec<_>, Vec<_>) = hooks.drain(..).partition(|(_, _, o)| o.is_some());
            *hooks = rest;
            out.extend(owned);
        }
        out
    }

    /// A new handle on the same data, cut from the graph.
    pub fn detach(&self) -> Tensor {
        Tensor::from_parts(Arc::clone(&self.0.storage), self.0.layout.clone(), self.0.dtype)
    }
    /// Cuts this tensor itself from the graph.
    pub fn detach_(&self) {
        let mut m = self.0.meta.lock();
        m.grad_fn = None;
        m.requires_grad = false;
        m.accumulator = None;
        self.0.needs_grad.store(false, Ordering::Release);
    }

    /// Consumes the handle; if it was the only one, hands back its grad_fn so a
    /// graph teardown can continue iteratively (see `Node::drop`).
    pub(crate) fn into_grad_fn_if_unique(self) -> Option<Arc<Node>> {
        match Arc::try_unwrap(self.0) {
            Ok(inner) => inner.meta.into_inner().grad_fn,
            Err(_) => None,
        }
    }
}

/// `Float`, `Long`, ... as PyTorch spells dtypes in kernel messages.
pub fn dtype_title(d: DType) -> &'static str {
    match d {
        DType::Bool => "Bool",
        DType::I32 => "Int",
        DType::I64 => "Long",
        DType::F32 => "Float",
        DType::F64 => "Double",
    }
}

/// The default dtype for a creation function given what kind of values it saw.
pub fn infer_default(is_float: bool) -> DType {
    if is_float {
        default_float()
    } else {
        DType::I64
    }
}
