//! Joining and rearranging: cat/stack (and the h/v/dstack family), split/chunk/
//! tensor_split/unbind (views), flip/roll/rot90, repeat/tile/repeat_interleave,
//! tril/triu, diagonal/diag/diag_embed/trace, movedim, broadcast_to/
//! broadcast_tensors, meshgrid. Every op is differentiable where PyTorch's is;
//! most backward passes are other ops of this file (narrow for cat, flip for
//! flip, the diagonal view for diag_embed), so higher-order gradients work.
//!
//! The private `jn_take_dim`/`jn_scatter_add_dim` pair (gather / scatter-add along a
//! dim by an int64 index of the output's shape) backs sort/topk/kthvalue,
//! repeat_interleave with tensor repeats and NumPy-style delete/insert.

use crate::autograd::{needs_grad, record};
use crate::dtype::{promote_types, DType, Scalar};
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::shape::{self, broadcast_all, fmt_shape, normalize_dim, Shape};
use crate::tensor::{dtype_title, Tensor};
use crate::{dispatch_dtype, rt_err};
use std::sync::Arc;

// ---------- gather / scatter-add along a dim (private primitives) ----------

impl Tensor {
    /// Gather along `dim` by an int64 `index` of the output's shape (values in range);
    /// differentiable (backward: scatter-add into zeros of the input's shape).
    pub(crate) fn jn_take_dim(&self, dim: usize, index: &Tensor) -> Result<Tensor> {
        self.gather(dim as isize, index)
    }

    /// Zeros of `shape` plus `self` scattered (added) at `index` along `dim`; differentiable.
    pub(crate) fn jn_scatter_add_dim(&self, shape: &[usize], dim: usize, index: &Tensor) -> Result<Tensor> {
        Tensor::zeros(shape, self.dtype(), self.device())?.scatter_add_t(dim as isize, index, self)
    }

    /// `index_select(dim, idx)` for a 1-D int64 index already in range (private helper).
    pub(crate) fn jn_take_along(&self, dim: usize, idx: &Tensor) -> Result<Tensor> {
        let mut shape: Shape = self.shape().into();
        shape[dim] = idx.numel();
        let flat = if idx.is_contiguous() { idx.clone() } else { idx.contiguous_raw()? };
        let mut st = crate::shape::Strides::from_elem(0, self.rank());
        st[dim] = 1;
        let index = flat.with_layout(Layout { shape, strides: st, offset: flat.storage_offset() });
        self.jn_take_dim(dim, &index)
    }
}

/// An int64 index tensor checked to be 1-D and in range for a dim of `size` (negatives wrap).
pub fn normalized_index(idx: &[i64], size: usize) -> Result<Tensor> {
    let mut v = Vec::with_capacity(idx.len());
    for &i in idx {
        let j = if i < 0 { i + size as i64 } else { i };
        if j < 0 || j >= size as i64 {
            return Err(Error::Index(format!("index {i} is out of bounds for dimension with size {size}")));
        }
        v.push(j);
    }
    Tensor::from_slice(&v, &[v.len()])
}

// ---------- cat / stack ----------

/// `torch.cat(tensors, dim)`: joins along an existing dim. Dtypes promote across the
/// inputs; legacy 1-D empty tensors (shape `[0]`) are skipped.
pub fn cat(tensors: &[Tensor], dim: isize) -> Result<Tensor> {
    if tensors.is_empty() {
        return Err(Error::Value("torch.cat(): expected a non-empty list of Tensors".into()));
    }
    for (i, t) in tensors.iter().enumerate() {
        if t.rank() == 0 {
            return Err(rt_err!("zero-dimensional tensor (at position {i}) cannot be concatenated"));
        }
    }
    let dtype = tensors.iter().skip(1).fold(tensors[0].dtype(), |a, t| promote_types(a, t.dtype()));
    let skip = |t: &Tensor| t.rank() == 1 && t.shape()[0] == 0;
    let first = match tensors.iter().position(|t| !skip(t)) {
        Some(i) => i,
        None => {
            // all legacy-empty: dim is checked against rank 1
            normalize_dim(dim, 1)?;
            return Tensor::empty(&[0], dtype, tensors[0].device());
        }
    };
    let refshape: Shape = tensors[first].shape().into();
    let rank = refshape.len();
    let d = normalize_dim(dim, rank)?;
    let mut total = 0usize;
    for (i, t) in tensors.iter().enumerate() {
        if skip(t) {
            continue;
        }
        if t.device() != tensors[first].device() {
            return Err(rt_err!("Expected all tensors to be on the same device, but found at least two devices, {} and {}!", tensors[first].device(), t.device()));
        }
        if t.rank() != rank {
            return Err(rt_err!("Tensors must have same number of dimensions: got {} and {}", rank, t.rank()));
        }
        for k in 0..rank {
            if k != d && t.shape()[k] != refshape[k] {
                return Err(rt_err!(
                    "Sizes of tensors must match except in dimension {}. Expected size {} but got size {} for tensor number {} in the list.",
                    d, refshape[k], t.shape()[k], i
                ));
            }
        }
        total += t.shape()[d];
    }
    let mut shape = refshape.clone();
    shape[d] = total;
    let out = Tensor::empty(&shape, dtype, tensors[first].device())?;
    // contiguous inputs of the output's dtype: one pass of block memcpys (no per-input plans)
    let blocks = tensors.iter().all(|t| skip(t) || (t.dtype() == dtype && t.is_contiguous()));
    if blocks && out.numel() > 0 {
        let esz = dtype.size();
        let outer: usize = shape[..d].iter().product();
        let inner: usize = shape[d + 1..].iter().product();
        let parts: Vec<&Tensor> = tensors.iter().filter(|t| !skip(t)).collect();
        let srcs: Vec<*const u8> = parts.iter().map(|t| t.data_ptr() as *const u8).collect();
        let bytes: Vec<usize> = parts.iter().map(|t| t.shape()[d] * inner * esz).collect();
        // SAFETY: `out` is fresh and holds outer * total * inner elements; each input is
        // contiguous with outer * len * inner elements of the same size.
        unsafe { crate::cpu::index::cat_blocks(out.data_ptr(), outer, &srcs, &bytes) };
    }
    let mut sizes = Vec::with_capacity(tensors.len());
    let mut start = 0usize;
    for t in tensors {
        if skip(t) {
            sizes.push(None);
            continue;
        }
        let len = t.shape()[d];
        sizes.push(Some((start, len)));
        if len > 0 && !blocks {
            let dst = out.with_layout(out.layout().narrow(d as isize, start as isize, len as isize)?);
            dst.copy_from_raw(t)?;
        }
        start += len;
    }
    let refs: Vec<&Tensor> = tensors.iter().collect();
    if needs_grad(&refs) {
        let wants: Vec<bool> = tensors.iter().map(|t| t.requires_grad()).collect();
        record("CatBackward0", &out, &refs, vec![], move |_, g| {
            sizes
                .iter()
                .zip(&wants)
                .map(|(s, &w)| match (s, w) {
                    (Some((st, len)), true) => Ok(Some(g.narrow(d as isize, *st as isize, *len as isize)?)),
                    (None, true) => Ok(Some(Tensor::zeros(&[0], g.dtype(), g.device())?)),
                    _ => Ok(None),
                })
                .collect()
        });
    }
    Ok(out)
}

/// `torch.stack(tensors, dim)`: joins equal-shaped tensors along a new dim.
pub fn stack(tensors: &[Tensor], dim: isize) -> Result<Tensor> {
    if tensors.is_empty() {
        return Err(rt_err!("stack expects a non-empty TensorList"));
    }
    let s0 = tensors[0].shape();
    for (i, t) in tensors.iter().enumerate().skip(1) {
        if t.shape() != s0 {
            return Err(rt_err!(
                "stack expects each tensor to be equal size, but got {} at entry 0 and {} at entry {}",
                fmt_shape(s0),
                fmt_shape(t.shape()),
                i
            ));
        }
    }
    let d = normalize_dim(dim, s0.len() + 1)? as isize;
    let parts: Vec<Tensor> = tensors.iter().map(|t| t.unsqueeze(d)).collect::<Result<_>>()?;
    cat(&parts, d)
}

/// `atleast_1d` / `atleast_2d` / `atleast_3d` as NumPy: leading (and for 3-D, trailing) size-1 dims.
pub fn atleast(t: &Tensor, n: usize) -> Result<Tensor> {
    match (n, t.rank()) {
        (_, r) if r >= n => Ok(t.clone()),
        (1, 0) => t.reshape_to(&[1]),
        (2, 0) => t.reshape_to(&[1, 1]),
        (2, 1) => t.unsqueeze(0),
        (3, 0) => t.reshape_to(&[1, 1, 1]),
        (3, 1) => t.unsqueeze(0)?.unsqueeze(2),
        (3, 2) => t.unsqueeze(2),
        _ => Ok(t.clone()),
    }
}

/// `hstack`: cat along dim 1, or dim 0 for 1-D inputs (after atleast_1d).
pub fn hstack(tensors: &[Tensor]) -> Result<Tensor> {
    if tensors.is_empty() {
        return Err(rt_err!("hstack expects a non-empty TensorList"));
    }
    let ts: Vec<Tensor> = tensors.iter().map(|t| atleast(t, 1)).collect::<Result<_>>()?;
    let d = if ts[0].rank() == 1 { 0 } else { 1 };
    cat(&ts, d)
}

/// `vstack` / `row_stack`: cat along dim 0 after atleast_2d.
pub fn vstack(tensors: &[Tensor]) -> Result<Tensor> {
    if tensors.is_empty() {
        return Err(rt_err!("vstack expects a non-empty TensorList"));
    }
    let ts: Vec<Tensor> = tensors.iter().map(|t| atleast(t, 2)).collect::<Result<_>>()?;
    cat(&ts, 0)
}

/// `dstack`: cat along dim 2 after atleast_3d.
pub fn dstack(tensors: &[Tensor]) -> Result<Tensor> {
    if tensors.is_empty() {
        return Err(rt_err!("dstack expects a non-empty TensorList"));
    }
    let ts: Vec<Tensor> = tensors.iter().map(|t| atleast(t, 3)).collect::<Result<_>>()?;
    cat(&ts, 2)
}

/// `column_stack`: 0-d/1-d inputs become columns, then cat along dim 1.
pub fn column_stack(tensors: &[Tensor]) -> Result<Tensor> {
    if tensors.is_empty() {
        return Err(rt_err!("column_stack expects a non-empty TensorList"));
    }
    let ts: Vec<Tensor> = tensors
        .iter()
        .map(|t| if t.rank() <= 1 { t.reshape_to(&[t.numel(), 1]) } else { Ok(t.clone()) })
        .collect::<Result<_>>()?;
    cat(&ts, 1)
}

/// `broadcast_tensors(*tensors)`: expanded views to the common shape.
pub fn broadcast_tensors(tensors: &[Tensor]) -> Result<Vec<Tensor>> {
    let shapes: Vec<&[usize]> = tensors.iter().map(|t| t.shape()).collect();
    let shape = broadcast_all(&shapes).map_err(|_| {
        // PyTorch names the first mismatching pair
        let mut acc: Shape = Shape::new();
        for s in &shapes {
            match shape::broadcast_shapes(&acc, s) {
                Ok(n) => acc = n,
                Err(_) => {
                    let n = acc.len().max(s.len());
                    for i in 0..n {
                        let a = if i + acc.len() >= n { acc[i + acc.len() - n] } else { 1 };
                        let b = if i + s.len() >= n { s[i + s.len() - n] } else { 1 };
                        if a != b && a != 1 && b != 1 {
                            return rt_err!("The size of tensor a ({a}) must match the size of tensor b ({b}) at non-singleton dimension {i}");
                        }
                    }
                }
            }
        }
        rt_err!("shapes cannot be broadcast")
    })?;
    tensors.iter().map(|t| t.expand_to(&shape)).collect()
}

/// `meshgrid(*tensors, indexing)`: N 0-d/1-d tensors to N N-d grids (views).
pub fn meshgrid(tensors: &[Tensor], indexing: &str) -> Result<Vec<Tensor>> {
    if indexing != "ij" && indexing != "xy" {
        return Err(rt_err!("torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {indexing}"));
    }
    if tensors.is_empty() {
        return Err(rt_err!("meshgrid expects a non-empty TensorList"));
    }
    for t in tensors {
        if t.rank() > 1 {
            return Err(rt_err!("torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got a tensor of shape {}", fmt_shape(t.shape())));
        }
        if t.dtype() != tensors[0].dtype() {
            return Err(rt_err!("torch.meshgrid: Expected all tensors in the tensor list to have the same dtype"));
        }
    }
    let n = tensors.len();
    let swap = indexing == "xy" && n >= 2;
    let mut sizes: Vec<usize> = tensors.iter().map(|t| t.numel()).collect();
    if swap {
        sizes.swap(0, 1);
    }
    let mut out = Vec::with_capacity(n);
    for (i, t) in tensors.iter().enumerate() {
        let pos = if swap && i < 2 { 1 - i } else { i };
        let mut vshape = vec![1usize; n];
        vshape[pos] = t.numel();
        out.push(t.reshape_to(&vshape)?.expand_to(&sizes)?);
    }
    Ok(out)
}

// ---------- splitting (views) ----------

impl Tensor {
    fn split_dim(&self, dim: isize) -> Result<usize> {
        if self.rank() == 0 {
            return Err(rt_err!("split expects at least a 1-dimensional tensor"));
        }
        normalize_dim(dim, self.rank())
    }

    /// `split(split_size, dim)`: chunks of `split_size` (the last may be smaller).
    pub fn split_size(&self, split_size: isize, dim: isize) -> Result<Vec<Tensor>> {
        let d = self.split_dim(dim)?;
        let n = self.shape()[d];
        if split_size < 0 {
            return Err(rt_err!("split expects split_size be non-negative, but got split_size={split_size}"));
        }
        if split_size == 0 {
            if n != 0 {
                return Err(rt_err!("split_size can only be 0 if dimension size is 0, but got dimension size of {n}"));
            }
            return Ok(vec![self.clone()]);
        }
        let s = split_size as usize;
        let count = n.div_ceil(s).max(1);
        (0..count).map(|i| self.narrow(d as isize, (i * s) as isize, (s.min(n - (i * s).min(n))) as isize)).collect()
    }

    /// `split(sizes, dim)` / `split_with_sizes`: sizes must sum to the dim's size.
    pub fn split_with_sizes(&self, sizes: &[isize], dim: isize) -> Result<Vec<Tensor>> {
        let d = self.split_dim(dim)?;
        let n = self.shape()[d];
        let sum: isize = sizes.iter().sum();
        if sizes.iter().any(|&s| s < 0) {
            return Err(rt_err!("split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes={:?}", sizes));
        }
        if sum != n as isize {
            return Err(rt_err!(
                "split_with_sizes expects split_sizes to sum exactly to {} (input tensor's size at dimension {}), but got split_sizes={:?}",
                n, d, sizes
            ));
        }
        let mut start = 0isize;
        let mut out = Vec::with_capacity(sizes.len());
        for &s in sizes {
            out.push(self.narrow(d as isize, start, s)?);
            start += s;
        }
        Ok(out)
    }

    /// `chunk(chunks, dim)`: up to `chunks` pieces of size ceil(n / chunks).
    pub fn chunk(&self, chunks: isize, dim: isize) -> Result<Vec<Tensor>> {
        if self.rank() == 0 {
            return Err(rt_err!("chunk expects at least a 1-dimensional tensor"));
        }
        if chunks <= 0 {
            return Err(rt_err!("chunk expects `chunks` to be greater than 0, got: {chunks}"));
        }
        let d = normalize_dim(dim, self.rank())?;
        let n = self.shape()[d];
        let size = n.div_ceil(chunks as usize);
        if size == 0 {
            // an empty dim: `chunks` empty pieces, as PyTorch
            return (0..chunks).map(|_| self.narrow(d as isize, 0, 0)).collect();
        }
        self.split_size(size as isize, d as isize)
    }

    /// `tensor_split(sections, dim)`: the first n % sections pieces get one extra element.
    pub fn tensor_split_sections(&self, sections: isize, dim: isize) -> Result<Vec<Tensor>> {
        if self.rank() == 0 {
            return Err(rt_err!("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims"));
        }
        if sections <= 0 {
            return Err(rt_err!("number of sections must be larger than 0, got {sections}"));
        }
        let d = normalize_dim(dim, self.rank())?;
        let n = self.shape()[d];
        let s = sections as usize;
        let (base, extra) = (n / s, n % s);
        let mut start = 0usize;
        let mut out = Vec::with_capacity(s);
        for i in 0..s {
            let len = base + usize::from(i < extra);
            out.push(self.narrow(d as isize, start as isize, len as isize)?);
            start += len;
        }
        Ok(out)
    }

    /// `tensor_split(indices, dim)`: pieces between the given (clamped) indices.
    pub fn tensor_split_indices(&self, indices: &[isize], dim: isize) -> Result<Vec<Tensor>> {
        if self.rank() == 0 {
            return Err(rt_err!("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims"));
        }
        let d = normalize_dim(dim, self.rank())?;
        let n = self.shape()[d] as isize;
        let clamp = |i: isize| -> isize {
            let i = if i < 0 { i + n } else { i };
            i.clamp(0, n)
        };
        let mut out = Vec::with_capacity(indices.len() + 1);
        let mut start = 0isize;
        // piece k is x[idx[k-1]:idx[k]] with Python slice semantics (empty when reversed)
        for &i in indices {
            let end = clamp(i);
            out.push(self.narrow(d as isize, start, (end - start).max(0))?);
            start = end;
        }
        out.push(self.narrow(d as isize, start, n - start)?);
        Ok(out)
    }

    /// `unbind(dim)`: the slices along `dim`, as views.
    pub fn unbind(&self, dim: isize) -> Result<Vec<Tensor>> {
        if self.rank() == 0 {
            return Err(Error::Index("Dimension specified as 0 but tensor has no dimensions".into()));
        }
        let d = normalize_dim(dim, self.rank())?;
        (0..self.shape()[d] as isize).map(|i| self.select(d as isize, i)).collect()
    }
}

// ---------- flip / roll / rot90 ----------

/// Checks a list of dims: normalised, no repeats.
pub(crate) fn unique_dims(dims: &[isize], rank: usize) -> Result<Vec<usize>> {
    let mut seen = vec![false; rank.max(1)];
    let mut out = Vec::with_capacity(dims.len());
    for &d in dims {
        let d = normalize_dim(d, rank)?;
        if seen[d] {
            return Err(rt_err!("dim {d} appears multiple times in the list of dims"));
        }
        seen[d] = true;
        out.push(d);
    }
    Ok(out)
}

impl Tensor {
    /// `flip(dims)`: a copy with the order of elements reversed along each dim in `dims`.
    pub fn flip(&self, dims: &[isize]) -> Result<Tensor> {
        let ds = unique_dims(dims, self.rank())?;
        let mut l = self.layout().clone();
        for &d in &ds {
            if d < l.rank() && l.shape[d] > 1 {
                l.offset = (l.offset as isize + (l.shape[d] as isize - 1) * l.strides[d]) as usize;
                l.strides[d] = -l.strides[d];
            }
        }
        let out = self.with_layout(l).contiguous_raw()?;
        if needs_grad(&[self]) {
            let dims = dims.to_vec();
            record("FlipBackward0", &out, &[self], vec![], move |_, g| Ok(vec![Some(g.flip(&dims)?)]));
        }
        Ok(out)
    }

    /// `fliplr()`: flip dim 1 (needs >= 2 dims).
    pub fn fliplr(&self) -> Result<Tensor> {
        if self.rank() < 2 {
            return Err(rt_err!("Input must be >= 2-d."));
        }
        self.flip(&[1])
    }

    /// `flipud()`: flip dim 0 (needs >= 1 dim).
    pub fn flipud(&self) -> Result<Tensor> {
        if self.rank() < 1 {
            return Err(rt_err!("Input must be >= 1-d."));
        }
        self.flip(&[0])
    }

    /// `roll(shifts, dims)`: circular shift; with no dims the flattened tensor is rolled.
    pub fn roll(&self, shifts: &[isize], dims: &[isize]) -> Result<Tensor> {
        if dims.is_empty() {
            if shifts.len() != 1 {
                return Err(rt_err!("shifts and dimensions must align. shifts: {}, dims:{}", shifts.len(), dims.len()));
            }
            let flat = self.reshape_to(&[self.numel()])?;
            return flat.roll(shifts, &[0])?.reshape_to(self.shape());
        }
        if shifts.len() != dims.len() {
            return Err(rt_err!("shifts and dimensions must align. shifts: {}, dims:{}", shifts.len(), dims.len()));
        }
        if self.rank() == 0 {
            return Err(Error::Index("Dimension specified as 0 but tensor has no dimensions".into()));
        }
        let mut cur = self.clone();
        for (&s, &d) in shifts.iter().zip(dims) {
            let d = normalize_dim(d, self.rank())?;
            let n = self.shape()[d] as isize;
            if n == 0 {
                continue;
            }
            let s = s.rem_euclid(n);
            if s == 0 {
                continue;
            }
            let a = cur.narrow(d as isize, n - s, s)?;
            let b = cur.narrow(d as isize, 0, n - s)?;
            cur = cat(&[a, b], d as isize)?;
        }
        if cur.ptr_eq(self) {
            return self.clone_t();
        }
        Ok(cur)
    }

    /// `rot90(k, dims)`: rotates by 90 degrees `k` times in the plane of `dims`
    /// (from the first towards the second).
    pub fn rot90(&self, k: isize, dims: &[isize]) -> Result<Tensor> {
        if dims.len() != 2 {
            return Err(rt_err!("expected total rotation dims == 2, but got dims = {}", dims.len()));
        }
        if self.rank() < 2 {
            return Err(rt_err!("expected total dims >= 2, but got total dims = {}", self.rank()));
        }
        let (d0, d1) = (normalize_dim(dims[0], self.rank())?, normalize_dim(dims[1], self.rank())?);
        if d0 == d1 {
            return Err(rt_err!("expected rotation dims to be different, but got dim0 = {} and dim1 = {}", d0, d1));
        }
        let (a, b) = (d0 as isize, d1 as isize);
        match k.rem_euclid(4) {
            1 => self.flip(&[b])?.transpose(a, b),
            2 => self.flip(&[a, b]),
            3 => self.flip(&[a])?.transpose(a, b),
            _ => self.clone_t(),
        }
    }
}

// ---------- repeat / tile / repeat_interleave ----------

impl Tensor {
    /// `repeat(*sizes)`: tiles the tensor `sizes[i]` times along each dim (leading new dims allowed).
    pub fn repeat(&self, sizes: &[isize]) -> Result<Tensor> {
        if sizes.len() < self.rank() {
            return Err(rt_err!("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor"));
        }
        for &s in sizes {
            if s < 0 {
                let mut target: Vec<isize> = Vec::new();
                let lead = sizes.len() - self.rank();
                for (i, &r) in sizes.iter().enumerate() {
                    let have = if i < lead { 1 } else { self.shape()[i - lead] as isize };
                    target.push(r * have);
                }
                return Err(Error::Runtime(format!("Trying to create tensor with negative dimension {}: {:?}", target.iter().find(|&&v| v < 0).copied().unwrap_or(s), target)));
            }
        }
        let lead = sizes.len() - self.rank();
        let mut inter: Vec<usize> = Vec::with_capacity(2 * sizes.len());
        let mut expanded: Vec<usize> = Vec::with_capacity(2 * sizes.len());
        let mut fin: Vec<usize> = Vec::with_capacity(sizes.len());
        for (i, &r) in sizes.iter().enumerate() {
            let have = if i < lead { 1 } else { self.shape()[i - lead] };
            inter.extend_from_slice(&[1, have]);
            expanded.extend_from_slice(&[r as usize, have]);
            fin.push((r as usize).checked_mul(have).ok_or_else(|| Error::Memory("repeat: result is too large".into()))?);
        }
        shape::numel_checked(&fin)?;
        let x = self.reshape_to(&inter)?.expand_to(&expanded)?;
        // the copy: reshape of an expanded view materialises it
        let out = x.contiguous()?;
        out.reshape_to(&fin)
    }

    /// `tile(dims)`: like `repeat`, with missing leading dims taken as 1 on either side.
    pub fn tile(&self, dims: &[isize]) -> Result<Tensor> {
        let mut d: Vec<isize> = dims.to_vec();
        while d.len() < self.rank() {
            d.insert(0, 1);
        }
        self.repeat(&d)
    }

    /// `repeat_interleave(repeats: int, dim)`: each element repeated `repeats` times
    /// along `dim` (the flattened tensor when `dim` is None).
    pub fn repeat_interleave_int(&self, repeats: isize, dim: Option<isize>, output_size: Option<isize>) -> Result<Tensor> {
        if repeats < 0 {
            return Err(rt_err!("repeats can not be negative"));
        }
        let (x, d) = match dim {
            None => (self.reshape_to(&[self.numel()])?, 0usize),
            Some(d) => {
                if self.rank() == 0 {
                    normalize_dim(d, 1)?;
                    (self.reshape_to(&[1])?, 0)
                } else {
                    (self.clone(), normalize_dim(d, self.rank())?)
                }
            }
        };
        let n = x.shape()[d].checked_mul(repeats as usize).ok_or_else(|| Error::Memory("repeat_interleave: result is too large".into()))?;
        if let Some(o) = output_size {
            if o != n as isize {
                return Err(rt_err!("allocated size does not match required size"));
            }
        }
        let mut exp: Vec<usize> = x.shape().to_vec();
        exp.insert(d + 1, repeats as usize);
        let y = x.unsqueeze(d as isize + 1)?.expand_to(&exp)?.contiguous()?;
        let mut fin: Vec<usize> = x.shape().to_vec();
        fin[d] = n;
        y.reshape_to(&fin)
    }

    /// `repeat_interleave(repeats: Tensor, dim)`: element i repeated `repeats[i]` times.
    pub fn repeat_interleave_tensor(&self, repeats: &Tensor, dim: Option<isize>, output_size: Option<isize>) -> Result<Tensor> {
        let (x, d) = match dim {
            None => (self.reshape_to(&[self.numel()])?, 0usize),
            Some(d) => {
                if self.rank() == 0 {
                    normalize_dim(d, 1)?;
                    (self.reshape_to(&[1])?, 0)
                } else {
                    (self.clone(), normalize_dim(d, self.rank())?)
                }
            }
        };
        if repeats.rank() == 0 || (repeats.rank() == 1 && repeats.numel() == 1) {
            let r = repeats.item()?.to_i64() as isize;
            return x.repeat_interleave_int(r, Some(d as isize), output_size);
        }
        if repeats.rank() != 1 {
            return Err(rt_err!("repeat_interleave only accept 1D vector as repeat"));
        }
        if repeats.dtype().is_float() || repeats.dtype() == DType::Bool {
            return Err(rt_err!("repeats has to be Long or Int tensor"));
        }
        if repeats.numel() != x.shape()[d] {
            return Err(rt_err!(
                "repeats must have the same size as input along dim, but got repeats.size(0) = {} and input.size({}) = {}",
                repeats.numel(),
                d,
                x.shape()[d]
            ));
        }
        let idx = repeat_index(repeats, output_size)?;
        x.jn_take_along(d, &idx)
    }
}

/// `repeat_interleave(repeats)` with only a tensor: `[0]*r0 + [1]*r1 + ...`.
pub fn repeat_index(repeats: &Tensor, output_size: Option<isize>) -> Result<Tensor> {
    if repeats.rank() > 1 {
        return Err(rt_err!("repeat_interleave only accept 1D vector as repeat"));
    }
    if repeats.dtype().is_float() || repeats.dtype() == DType::Bool {
        return Err(rt_err!("repeats has to be Long or Int tensor"));
    }
    let r = repeats.to_vec::<i64>()?;
    if r.iter().any(|&v| v < 0) {
        return Err(rt_err!("repeats can not be negative"));
    }
    let total: i64 = r.iter().try_fold(0i64, |a, &b| a.checked_add(b)).ok_or_else(|| Error::Memory("repeat_interleave: result is too large".into()))?;
    shape::numel_checked(&[total as usize])?;
    if let Some(o) = output_size {
        if o as i64 != total {
            return Err(rt_err!("allocated size does not match required size"));
        }
    }
    let mut v = Vec::with_capacity(total as usize);
    for (i, &c) in r.iter().enumerate() {
        v.extend(std::iter::repeat(i as i64).take(c as usize));
    }
    Tensor::from_slice(&v, &[v.len()])
}

// ---------- triangles and diagonals ----------

impl Tensor {
    fn tri(&self, diagonal: isize, lower: bool) -> Result<Tensor> {
        let name = if lower { "tril" } else { "triu" };
        if self.rank() < 2 {
            return Err(rt_err!("{name}: input tensor must have at least 2 dimensions"));
        }
        let out = self.contiguous_raw()?;
        let r = self.rank();
        let (rows, cols) = (self.shape()[r - 2], self.shape()[r - 1]);
        let mats = if rows * cols == 0 { 0 } else { out.numel() / (rows * cols) };
        let base = crate::cpu::iter::SendPtr(out.data_ptr());
        dispatch_dtype!(self.dtype(), T => {
            let zero_mat = |m: usize| unsafe {
                let p = (base.get() as *mut T).add(m * rows * cols);
                for i in 0..rows {
                    let row = p.add(i * cols);
                    // tril keeps j <= i + k; triu keeps j >= i + k
                    let edge = i as isize + diagonal;
                    if lower {
                        let from = (edge + 1).clamp(0, cols as isize) as usize;
                        for j in from..cols { *row.add(j) = T::default(); }
                    } else {
                        let to = edge.clamp(0, cols as isize) as usize;
                        for j in 0..to { *row.add(j) = T::default(); }
                    }
                }
            };
            if out.numel() >= crate::cpu::PARALLEL_MIN && mats > 1 {
                crate::cpu::par::for_each_task(mats, zero_mat);
            } else {
                (0..mats).for_each(zero_mat);
            }
        });
        if needs_grad(&[self]) {
            record(if lower { "TrilBackward0" } else { "TriuBackward0" }, &out, &[self], vec![], move |_, g| {
                Ok(vec![Some(g.tri(diagonal, lower)?)])
            });
        }
        Ok(out)
    }

    /// `tril(diagonal=0)`: zeros above the `diagonal`-th diagonal of the last two dims.
    pub fn tril(&self, diagonal: isize) -> Result<Tensor> {
        self.tri(diagonal, true)
    }

    /// `triu(diagonal=0)`: zeros below the `diagonal`-th diagonal of the last two dims.
    pub fn triu(&self, diagonal: isize) -> Result<Tensor> {
        self.tri(diagonal, false)
    }

    /// `diagonal(offset, dim1, dim2)`: a view of the diagonal, appended as the last dim.
    pub fn diagonal(&self, offset: isize, dim1: isize, dim2: isize) -> Result<Tensor> {
        diagonal_layout(self.layout(), offset, dim1, dim2)?;
        self.view_fn("DiagonalBackward0", Arc::new(move |l: &Layout| diagonal_layout(l, offset, dim1, dim2)))
    }

    /// `diag_embed(offset, dim1, dim2)`: the last dim becomes the diagonal of new 2-D planes.
    pub fn diag_embed(&self, offset: isize, dim1: isize, dim2: isize) -> Result<Tensor> {
        let r = self.rank() + 1;
        let (a, b) = (normalize_dim(dim1, r)?, normalize_dim(dim2, r)?);
        if a == b {
            return Err(rt_err!("diagonal dimensions cannot be identical {dim1}, {dim2}"));
        }
        let n = self.shape().last().copied().unwrap_or(1) + offset.unsigned_abs();
        let mut shape: Shape = Shape::new();
        let mut rest = self.shape()[..self.rank().saturating_sub(1)].iter();
        for i in 0..r {
            if i == a || i == b {
                shape.push(n);
            } else {
                shape.push(*rest.next().unwrap_or(&1));
            }
        }
        let out = Tensor::zeros(&shape, self.dtype(), self.device())?;
        let dst = out.with_layout(diagonal_layout(out.layout(), offset, a as isize, b as isize)?);
        let src = if self.rank() == 0 { self.reshape_to(&[1])? } else { self.clone() };
        dst.copy_from_raw(&src)?;
        if needs_grad(&[self]) {
            let in_shape: Shape = self.shape().into();
            record("DiagEmbedBackward0", &out, &[self], vec![], move |_, g| {
                Ok(vec![Some(g.diagonal(offset, a as isize, b as isize)?.reshape_to(&in_shape)?)])
            });
        }
        Ok(out)
    }

    /// `diag(diagonal=0)`: 1-D -> a square matrix with it on the diagonal; 2-D -> the diagonal (a copy).
    pub fn diag(&self, diagonal: isize) -> Result<Tensor> {
        match self.rank() {
            1 => self.diag_embed(diagonal, 0, 1),
            2 => self.diagonal(diagonal, 0, 1)?.clone_t(),
            r => Err(rt_err!("diag(): Supports 1D or 2D tensors. Got {r}D")),
        }
    }

    /// `trace()`: sum of the main diagonal of a matrix (ints sum to int64).
    pub fn trace(&self) -> Result<Tensor> {
        if self.rank() != 2 {
            return Err(rt_err!("trace: expected a matrix, but got tensor with dim {}", self.rank()));
        }
        if self.dtype() == DType::Bool {
            return Err(crate::not_impl_err!("\"trace\" not implemented for '{}'", dtype_title(self.dtype())));
        }
        self.diagonal(0, 0, 1)?.sum()
    }

    /// `movedim(source, destination)` / `moveaxis`: a permuted view.
    pub fn movedim(&self, source: &[isize], destination: &[isize]) -> Result<Tensor> {
        let r = self.rank();
        if source.len() != destination.len() {
            return Err(rt_err!(
                "movedim: Invalid source or destination dims: source ({:?} dims) should contain the same number of dims as destination ({:?} dims)",
                source, destination
            ));
        }
        let src: Vec<usize> = source.iter().map(|&d| normalize_dim(d, r)).collect::<Result<_>>()?;
        let dst: Vec<usize> = destination.iter().map(|&d| normalize_dim(d, r)).collect::<Result<_>>()?;
        let has_dup = |v: &[usize]| (0..v.len()).any(|i| v[..i].contains(&v[i]));
        if has_dup(&src) {
            return Err(rt_err!("movedim: repeated dim in `source` ({:?})", source));
        }
        if has_dup(&dst) {
            return Err(rt_err!("movedim: repeated dim in `destination` ({:?})", destination));
        }
        if r == 0 {
            return Ok(self.clone());
        }
        let mut order: Vec<isize> = vec![-1; r];
        for (&s, &d) in src.iter().zip(&dst) {
            order[d] = s as isize;
        }
        let mut rest = (0..r).filter(|i| !src.contains(i));
        for o in order.iter_mut() {
            if *o < 0 {
                *o = rest.next().unwrap_or(0) as isize;
            }
        }
        self.permute(&order)
    }

    /// `broadcast_to(shape)`: an expanded view (-1 keeps a size).
    pub fn broadcast_to(&self, shape: &[isize]) -> Result<Tensor> {
        self.expand(shape)
    }
}

/// The layout of the `offset`-th diagonal of dims (`dim1`, `dim2`), appended last.
pub fn diagonal_layout(l: &Layout, offset: isize, dim1: isize, dim2: isize) -> Result<Layout> {
    let r = l.rank();
    let (a, b) = (normalize_dim(dim1, r)?, normalize_dim(dim2, r)?);
    if a == b {
        return Err(rt_err!("diagonal dimensions cannot be identical {dim1}, {dim2}"));
    }
    let (sa, sb) = (l.shape[a] as isize, l.shape[b] as isize);
    let len = if offset >= 0 { (sa).min(sb - offset) } else { (sa + offset).min(sb) }.max(0);
    let mut off = l.offset as isize;
    if len > 0 {
        off += if offset >= 0 { offset * l.strides[b] } else { -offset * l.strides[a] };
    }
    let mut out = Layout { shape: Shape::new(), strides: Default::default(), offset: off as usize };
    for i in 0..r {
        if i != a && i != b {
            out.shape.push(l.shape[i]);
            out.strides.push(l.strides[i]);
        }
    }
    out.shape.push(len as usize);
    out.strides.push(l.strides[a] + l.strides[b]);
    Ok(out)
}

/// Scalar helper for Python-facing code: a 0-d int64 tensor.
pub fn int_scalar(v: i64) -> Result<Tensor> {
    Tensor::scalar(Scalar::Int(v), DType::I64)
}
