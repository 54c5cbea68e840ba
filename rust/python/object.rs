//! Making and freeing `rgrad.Tensor` Python objects by a shorter path than PyO3's generic one,
//! for the calls whose whole work is tens of nanoseconds (`t[0]`, an op on a small tensor).
//!
//! - PyO3 builds an instance through the base type's `tp_new` with an empty argument tuple
//!   (`object.__new__(cls)`), which then calls `tp_alloc`; [`wrap`] calls `tp_alloc` itself and
//!   moves the `PyTensor` into place, as PyO3 does after its `tp_new`.
//! - PyO3's `tp_dealloc` and `mp_subscript` run inside its per-call guard (a thread-local count
//!   of attached calls, a panic trap). [`dealloc`] skips it when dropping the tensor touches no
//!   Python object, and [`subscript`] when `t[i]` is an in-range int on a tensor recording no
//!   graph; everything else goes to PyO3's own slot function.
//!
//! Together that is ~25 ns of a ~110 ns `t[0]`. It relies on the instance layout PyO3 gives a
//! `frozen` class with `weakref` (the value right after the object header, then only the
//! weak-reference list), which [`install`] checks at import; where it differs, and in abi3
//! builds (whose type objects are opaque), PyO3's paths are used unchanged.

use super::pytensor::PyTensor;
use crate::layout::Layout;
use crate::tensor::Tensor;
use pyo3::prelude::*;
use smallvec::SmallVec;

/// A tensor on its way to Python as a new `rgrad.Tensor` object, made by [`wrap`]: the return
/// type of the methods and functions that return one tensor (`PyT`).
pub struct Wrap(pub Tensor);

impl<'py> IntoPyObject<'py> for Wrap {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;
    #[inline]
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        wrap(py, self.0)
    }
}

/// A new `rgrad.Tensor` object holding `t`.
#[inline]
pub fn wrap(py: Python<'_>, t: Tensor) -> PyResult<Bound<'_, PyAny>> {
    #[cfg(not(feature = "abi3"))]
    if let Some(slots) = direct::SLOTS.get() {
        let obj = slots.new_object(t);
        // SAFETY: a new reference, or null with the error set
        return unsafe { Bound::from_owned_ptr_or_err(py, obj) };
    }
    Ok(Bound::new(py, PyTensor::new(t))?.into_any())
}

/// What a method or function returning one tensor returns.
pub type PyT = PyResult<Wrap>;

/// Wraps a result into a Python tensor.
#[inline]
pub fn ok(t: crate::error::Result<Tensor>) -> PyT {
    Ok(Wrap(t?))
}

/// True when indexing `t` records no graph (it does not require grad, or grad mode is off).
/// The tensor's flag is read first: the common case skips the thread-local lookup.
#[inline]
pub(crate) fn no_graph(t: &Tensor) -> bool {
    !t.requires_grad() || !crate::autograd::is_grad_enabled()
}

/// `t[i]` for an int `i`, when it needs none of the general path: `t` has a dim 0 that `i`
/// (negative counting from the end) is in range of, and no graph is recorded. The view is
/// built straight from the layout. `None` otherwise, errors included.
/// (Also `rgrad.Tensor`'s `mp_subscript` shortcut, see `object.rs`.)
#[inline]
pub(crate) fn int_index_view(t: &Tensor, i: isize) -> Option<Tensor> {
    let l = t.layout();
    let size = *l.shape.first()? as isize;
    let v = if i < 0 { i.wrapping_add(size) } else { i };
    if v < 0 || v >= size || !no_graph(t) {
        return None;
    }
    // element-wise pushes: no memcpy calls for these few dims
    let (mut shape, mut strides) = (SmallVec::new(), SmallVec::new());
    for k in 1..l.shape.len() {
        shape.push(l.shape[k]);
        strides.push(l.strides[k]);
    }
    Some(t.with_layout(Layout { shape, strides, offset: (l.offset as isize + v * l.strides[0]) as usize }))
}

/// Checks the instance layout and, where it is the expected one, installs the type's shorter
/// slot functions. Called once, at import, after the class is added to the module and before
/// any Python subclass exists (a subclass copies or looks up its base's slots).
pub fn install(py: Python<'_>) {
    #[cfg(not(feature = "abi3"))]
    direct::install(py);
    #[cfg(feature = "abi3")]
    let _ = py;
}

#[cfg(not(feature = "abi3"))]
mod direct {
    use super::int_index_view;
    use super::super::pytensor::PyTensor;
    use crate::tensor::Tensor;
    use pyo3::ffi;
    use pyo3::prelude::*;
    use pyo3::type_object::PyTypeInfo;
    use std::sync::OnceLock;

    /// The value's offset in an instance: right after the object header (checked by `install`).
    const VALUE_OFFSET: usize = std::mem::size_of::<ffi::PyObject>();

    /// The type and the slot functions the shortcuts call or fall back to.
    pub(super) struct Slots {
        tp: *mut ffi::PyTypeObject,
        alloc: ffi::allocfunc,
        pyo3_dealloc: ffi::destructor,
        pyo3_subscript: ffi::binaryfunc,
    }
    // SAFETY: the type object is immortal for the module's life and only used with the GIL held.
    unsafe impl Send for Slots {}
    // SAFETY: `Slots` is written once (the `OnceLock`) and then only read; the type object it
    // points at is used with the GIL held, which serialises every access to it.
    unsafe impl Sync for Slots {}

    pub(super) static SLOTS: OnceLock<Slots> = OnceLock::new();

    /// The `PyTensor` inside an instance of `rgrad.Tensor` or a subclass.
    #[inline(always)]
    unsafe fn value(obj: *mut ffi::PyObject) -> *mut PyTensor {
        obj.cast::<u8>().add(VALUE_OFFSET).cast::<PyTensor>()
    }

    impl Slots {
        /// A new reference to a new instance holding `t`, or null with a `MemoryError` set.
        #[inline]
        pub(super) fn new_object(&self, t: Tensor) -> *mut ffi::PyObject {
            // SAFETY: `tp_alloc` returns a zero-filled, GC-tracked instance with its type set
            // (or null); writing the value completes it, as PyO3 does after its `tp_new`: the
            // weak-reference list is the only other field and null is its empty value.
            unsafe {
                let obj = (self.alloc)(self.tp, 0);
                if !obj.is_null() {
                    value(obj).write(PyTensor::new(t));
                }
                obj
            }
        }
    }

    pub(super) fn install(py: Python<'_>) {
        let Ok(probe) = Tensor::empty_on(&[0], crate::dtype::DType::F32, crate::device::Device::Cpu) else { return };
        let Ok(probe) = Bound::new(py, PyTensor::new(probe)) else { return };
        let tp = PyTensor::type_object_raw(py);
        // SAFETY: `tp` is the class's live type object; reading its fields is plain C access.
        let (basic, weak, dict, alloc, own_dealloc, own_subscript) = unsafe {
            let mapping = (*tp).tp_as_mapping;
            (
                (*tp).tp_basicsize as usize,
                (*tp).tp_weaklistoffset as usize,
                (*tp).tp_dictoffset,
                (*tp).tp_alloc,
                (*tp).tp_dealloc,
                if mapping.is_null() { None } else { (*mapping).mp_subscript },
            )
        };
        let value_at = probe.get() as *const PyTensor as usize - probe.as_ptr() as usize;
        let pointer = std::mem::size_of::<*mut ffi::PyObject>();
        let value_end = VALUE_OFFSET + std::mem::size_of::<PyTensor>();
        // value right after the header; then, after at most padding, the weak-reference list
        // ends the instance: no borrow flag, thread checker or `__dict__` slot to initialise
        let layout_known = value_at == VALUE_OFFSET && dict == 0 && weak >= value_end && weak - value_end < pointer && basic == weak + pointer;
        let (Some(alloc), Some(pyo3_dealloc), Some(pyo3_subscript)) = (alloc, own_dealloc, own_subscript) else { return };
        if !layout_known || SLOTS.set(Slots { tp, alloc, pyo3_dealloc, pyo3_subscript }).is_err() {
            return;
        }
        // SAFETY: as above. The class has no subclasses yet, and its one instance, `probe`
        // (made by PyO3's path: the same layout, as just checked), is freed by ours.
        unsafe {
            (*tp).tp_dealloc = Some(dealloc);
            (*(*tp).tp_as_mapping).mp_subscript = Some(subscript);
        }
    }

    /// `tp_dealloc` for `rgrad.Tensor` and (through `subtype_dealloc`) its Python subclasses.
    ///
    /// When dropping the tensor only returns Rust memory ([`Tensor::drop_is_rust_only`]: the
    /// common case of a temporary view or result), it does what PyO3's does without PyO3's
    /// guard: untrack, clear weak references, drop the value, free the memory with the
    /// instance's own type's `tp_free`, and release the reference every heap-type instance
    /// holds on its type. Otherwise it hands over to PyO3's, under which a Python object the
    /// tensor owns (a NumPy array, a hook) is released at once.
    unsafe extern "C" fn dealloc(obj: *mut ffi::PyObject) {
        // installed only after SLOTS is set
        let Some(slots) = SLOTS.get() else { std::process::abort() };
        let v = value(obj);
        if !(*v).inner.drop_is_rust_only() {
            return (slots.pyo3_dealloc)(obj);
        }
        let tp = ffi::Py_TYPE(obj);
        ffi::PyObject_GC_UnTrack(obj.cast());
        let weaklist = obj.cast::<u8>().add((*tp).tp_weaklistoffset as usize).cast::<*mut ffi::PyObject>();
        if !(*weaklist).is_null() {
            ffi::PyObject_ClearWeakRefs(obj);
        }
        std::ptr::drop_in_place(v);
        let free = (*tp).tp_free.unwrap_or(ffi::PyObject_GC_Del);
        free(obj.cast());
        ffi::Py_DECREF(tp.cast());
    }

    /// `mp_subscript` (`t[key]`): an in-range Python int on a tensor recording no graph is
    /// answered here (the same view `__getitem__` builds); every other key, and every error,
    /// goes to PyO3's `__getitem__`. (If asking whether `t` records a graph regenerates a
    /// stale view's history, a hook on the old history is released through PyO3's
    /// deferred-release pool, at rgrad's next call, rather than at once.)
    unsafe extern "C" fn subscript(obj: *mut ffi::PyObject, key: *mut ffi::PyObject) -> *mut ffi::PyObject {
        let Some(slots) = SLOTS.get() else { std::process::abort() };
        if ffi::PyLong_CheckExact(key) != 0 {
            let i = ffi::PyLong_AsSsize_t(key);
            if i == -1 && !ffi::PyErr_Occurred().is_null() {
                ffi::PyErr_Clear(); // too large: PyO3's path reports it
            } else {
                let t = &(*value(obj)).inner;
                // (a panic, a bug, is left for PyO3's path to raise as an exception)
                if let Ok(Some(view)) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| int_index_view(t, i))) {
                    return slots.new_object(view);
                }
            }
        }
        (slots.pyo3_subscript)(obj, key)
    }
}
