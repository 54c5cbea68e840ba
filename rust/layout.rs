//! A Layout says where each element of a view lives in its storage:
//! `offset + sum(index[d] * strides[d])`, strides in elements, signed.
//! Every view op is a function from one Layout to another; no data moves.

use crate::error::{Error, Result};
use crate::shape::{self, contiguous_strides, normalize_dim, Shape, Strides};
use smallvec::SmallVec;

/// Where each element of a view lives in its storage.
///
/// The element at `index` is storage element `offset + sum(index[d] * strides[d])`; all
/// counts are in elements, not bytes. Strides may be 0 (broadcast or expanded dims) or
/// negative (reversed slices), so several views can share one storage with different layouts.
/// `shape` and `strides` always have the same length.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Size of each dim.
    pub shape: Shape,
    /// Step, in elements, between neighbours along each dim; signed, may be 0.
    pub strides: Strides,
    /// Storage index, in elements, of the view's first element.
    pub offset: usize,
}

/// [`Layout::may_overlap`]'s test over any sizes and strides (in elements or, scaled alike, in
/// bytes): sorted by |stride|, each dim must step past everything the smaller ones reach.
pub fn dims_may_overlap(shape: &[usize], strides: &[isize]) -> bool {
    if shape.contains(&0) {
        return false;
    }
    let mut dims: SmallVec<[(usize, isize); 6]> = shape.iter().zip(strides).filter(|(&n, _)| n > 1).map(|(&n, &s)| (n, s.abs())).collect();
    dims.sort_unstable_by_key(|&(_, s)| s);
    let mut reach = 0isize;
    for (n, s) in dims {
        if s <= reach {
            return true;
        }
        reach += (n as isize - 1) * s;
    }
    false
}

impl Layout {
    /// The row-major contiguous layout of `shape`, at offset 0.
    pub fn contiguous(shape: &[usize]) -> Layout {
        Layout { shape: shape.into(), strides: contiguous_strides(shape), offset: 0 }
    }
    /// Number of dims (`Tensor.dim()`).
    pub fn rank(&self) -> usize {
        self.shape.len()
    }
    /// Number of elements (product of the shape; 1 for 0-d).
    pub fn numel(&self) -> usize {
        shape::numel(&self.shape)
    }
    /// Row-major contiguous (size-1 dims may have any stride, and a view with no elements is
    /// contiguous whatever its strides, as in PyTorch).
    pub fn is_contiguous(&self) -> bool {
        if self.shape.contains(&0) {
            return true;
        }
        let mut expected = 1isize;
        for i in (0..self.shape.len()).rev() {
            if self.shape[i] == 1 {
                continue;
            }
            if self.strides[i] != expected {
                return false;
            }
            expected *= self.shape[i] as isize;
        }
        true
    }
    /// Whether two elements of this view may share a storage element (expanded dims,
    /// overlapping `unfold` windows). Dims sorted by |stride| must each step past everything
    /// the smaller ones reach; a view passing that test cannot overlap (false negatives are
    /// not possible, false positives only for exotic as-strided layouts).
    pub fn may_overlap(&self) -> bool {
        dims_may_overlap(&self.shape, &self.strides)
    }
    /// Range of storage elements this view can touch: (min, max+1).
    pub fn storage_span(&self) -> (isize, isize) {
        if self.numel() == 0 {
            return (self.offset as isize, self.offset as isize);
        }
        let mut lo = self.offset as isize;
        let mut hi = self.offset as isize;
        for (&s, &st) in self.shape.iter().zip(&self.strides) {
            let ext = (s as isize - 1) * st;
            if ext < 0 {
                lo += ext
            } else {
                hi += ext
            }
        }
        (lo, hi + 1)
    }

    /// Swaps dims `d0` and `d1` (negative counts from the end), as `torch.transpose`;
    /// an out-of-range dim is an [`Error::Index`].
    pub fn transpose(&self, d0: isize, d1: isize) -> Result<Layout> {
        let r = self.rank();
        let (a, b) = (normalize_dim(d0, r)?, normalize_dim(d1, r)?);
        let mut l = self.clone();
        if r == 0 {
            return Ok(l);
        }
        l.shape.swap(a, b);
        l.strides.swap(a, b);
        Ok(l)
    }

    /// Reorders dims as `torch.permute`: `dims` must name every dim exactly once
    /// (negative allowed), else an error.
    pub fn permute(&self, dims: &[isize]) -> Result<Layout> {
        let r = self.rank();
        if dims.len() != r {
            return Err(Error::Runtime(format!(
                "permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = {} is not equal to len(dims) = {}",
                r,
                dims.len()
            )));
        }
        let mut seen = vec![false; r];
        let mut l = Layout { shape: Shape::new(), strides: Strides::new(), offset: self.offset };
        for &d in dims {
            let d = normalize_dim(d, r)?;
            if seen[d] {
                return Err(Error::Runtime("permute(): duplicate dims are not allowed.".into()));
            }
            seen[d] = true;
            l.shape.push(self.shape[d]);
            l.strides.push(self.strides[d]);
        }
        Ok(l)
    }

    /// Broadcast to `sizes` with stride 0 on new or expanded dims; -1 keeps a size.
    pub fn expand(&self, sizes: &[isize]) -> Result<Layout> {
        let n = sizes.len();
        let r = self.rank();
        if n < r {
            return Err(Error::Runtime(format!(
                "expand({}{}, size={:?}): the number of sizes provided ({}) must be greater or equal to the number of dimensions in the tensor ({})",
                "Tensor{shape=", shape::fmt_shape(&self.shape) + "}", sizes, n, r
            )));
        }
        let mut l = Layout { shape: SmallVec::from_elem(0, n), strides: SmallVec::from_elem(0, n), offset: self.offset };
        for i in 0..n {
            let want = sizes[i];
            if i < n - r {
                if want < 0 {
                    return Err(Error::Runtime(format!(
                        "The expanded size of the tensor ({want}) isn't allowed in a leading, non-existing dimension {i}"
                    )));
                }
                l.shape[i] = want as usize;
                l.strides[i] = 0;
            } else {
                let j = i - (n - r);
                let have = self.shape[j];
                if want == -1 || want as usize == have {
                    l.shape[i] = have;
                    l.strides[i] = self.strides[j];
                } else if have == 1 && want >= 0 {
                    l.shape[i] = want as usize;
                    l.strides[i] = 0;
                } else {
                    return Err(Error::Runtime(format!(
                        "The expanded size of the tensor ({}) must match the existing size ({}) at non-singleton dimension {}.  Target sizes: {:?}.  Tensor sizes: {}",
                        want, have, i, sizes, shape::fmt_shape(&self.shape)
                    )));
                }
            }
        }
        if shape::numel(&l.shape) > isize::MAX as usize {
            return Err(Error::Runtime(format!("numel: integer multiplication overflow for expanded sizes {:?}", sizes)));
        }
        Ok(l)
    }

    /// Broadcasts to `shape` (`torch.broadcast_to`): [`Layout::expand`] without `-1`s.
    pub fn broadcast_to(&self, shape: &[usize]) -> Result<Layout> {
        let sizes: Vec<isize> = shape.iter().map(|&s| s as isize).collect();
        self.expand(&sizes)
    }

    /// Drops every size-1 dim (`torch.squeeze` with no dims).
    pub fn squeeze_all(&self) -> Layout {
        let mut l = Layout { shape: Shape::new(), strides: Strides::new(), offset: self.offset };
        for (&s, &st) in self.shape.iter().zip(&self.strides) {
            if s != 1 {
                l.shape.push(s);
                l.strides.push(st);
            }
        }
        l
    }

    /// Drops those of `dims` that have size 1 (`torch.squeeze(dims)`); listed dims of
    /// other sizes stay, and an out-of-range dim is an [`Error::Index`].
    pub fn squeeze_dims(&self, dims: &[isize]) -> Result<Layout> {
        let r = self.rank();
        let mut drop = vec![false; r];
        for &d in dims {
            let d = normalize_dim(d, r)?;
            if r > 0 && self.shape[d] == 1 {
                drop[d] = true;
            }
        }
        let mut l = Layout { shape: Shape::new(), strides: Strides::new(), offset: self.offset };
        for ((&s, &st), &dropped) in self.shape.iter().zip(self.strides.iter()).zip(&drop) {
            if !dropped {
                l.shape.push(s);
                l.strides.push(st);
            }
        }
        Ok(l)
    }

    /// Inserts a size-1 dim at `dim`, in `-(rank+1)..=rank` (`torch.unsqueeze`).
    pub fn unsqueeze(&self, dim: isize) -> Result<Layout> {
        let d = normalize_dim(dim, self.rank() + 1)?;
        let mut l = self.clone();
        let st = if d < self.rank() { self.strides[d] * self.shape[d] as isize } else { 1 };
        l.shape.insert(d, 1);
        l.strides.insert(d, st);
        Ok(l)
    }

    /// `length` elements of dim `dim` starting at `start` (negative counts from the end),
    /// as `torch.narrow`; a range outside the dim, or a 0-d layout, is an error.
    pub fn narrow(&self, dim: isize, start: isize, length: isize) -> Result<Layout> {
        if self.rank() == 0 {
            return Err(Error::Runtime("narrow() cannot be applied to a 0-dim tensor.".into()));
        }
        let d = normalize_dim(dim, self.rank())?;
        let size = self.shape[d] as isize;
        let start = if start < 0 { start + size } else { start };
        if start < 0 || start > size {
            return Err(Error::Index(format!(
                "start out of range (expected to be in range of [{}, {}], but got {})",
                -size, size, start
            )));
        }
        if length < 0 || start + length > size {
            return Err(Error::Runtime(format!(
                "start ({start}) + length ({length}) exceeds dimension size ({size})."
            )));
        }
        let mut l = self.clone();
        l.offset = (l.offset as isize + start * self.strides[d]) as usize;
        l.shape[d] = length as usize;
        Ok(l)
    }

    /// `unfold(dim, size, step)`: dim `dim` becomes the window index ((n - size) / step + 1
    /// windows, `step` elements apart) and a new last dim of `size` walks through a window.
    /// A 0-d tensor counts as one element (`size` at most 1).
    pub fn unfold(&self, dim: isize, size: isize, step: isize) -> Result<Layout> {
        let rank = self.rank();
        let d = normalize_dim(dim, rank.max(1))?;
        let (n, stride) = if rank == 0 { (1, 1) } else { (self.shape[d], self.strides[d]) };
        if size < 0 {
            return Err(Error::Runtime(format!("size is {size} but must be >= 0")));
        }
        if size as usize > n {
            return Err(Error::Runtime(format!("maximum size for tensor at dimension {d} is {n} but size is {size}")));
        }
        if step <= 0 {
            return Err(Error::Runtime(format!("step is {step} but must be > 0")));
        }
        let mut l = self.clone();
        if rank > 0 {
            l.shape[d] = (n - size as usize) / step as usize + 1;
            l.strides[d] = stride * step;
        }
        l.shape.push(size as usize);
        l.strides.push(stride);
        Ok(l)
    }

    /// Basic slicing `start:stop:step` on one dim; `step` may be negative (NumPy semantics).
    /// `start`/`stop` are already clamped by the caller (Python's `slice.indices`).
    pub fn slice(&self, dim: usize, start: isize, len: usize, step: isize) -> Layout {
        let mut l = self.clone();
        if len > 0 {
            l.offset = (l.offset as isize + start * self.strides[dim]) as usize;
        }
        l.shape[dim] = len;
        l.strides[dim] = self.strides[dim] * step;
        l
    }

    /// Picks one index on a dim, removing it.
    pub fn select(&self, dim: isize, index: isize) -> Result<Layout> {
        if self.rank() == 0 {
            return Err(Error::Index("select() cannot be applied to a 0-dim tensor.".into()));
        }
        let d = normalize_dim(dim, self.rank())?;
        let size = self.shape[d] as isize;
        let i = if index < 0 { index + size } else { index };
        if i < 0 || i >= size {
            return Err(Error::Index(format!(
                "index {index} is out of bounds for dimension {d} with size {size}"
            )));
        }
        let mut l = self.clone();
        l.offset = (l.offset as isize + i * self.strides[d]) as usize;
        l.shape.remove(d);
        l.strides.remove(d);
        Ok(l)
    }

    /// Strides for viewing this layout as `new_shape` without copying, if possible
    /// (PyTorch's `computeStride`: each run of merged dims must be contiguous in itself).
    pub fn view_strides(&self, new_shape: &[usize]) -> Option<Strides> {
        let old_shape = &self.shape;
        let old_strides = &self.strides;
        let numel = self.numel();
        let mut new_strides: Strides = SmallVec::from_elem(0, new_shape.len());
        if numel == 0 {
            return Some(contiguous_strides(new_shape));
        }
        if old_shape.is_empty() {
            return Some(SmallVec::from_elem(1, new_shape.len()));
        }
        let mut view_d = new_shape.len() as isize - 1;
        let mut chunk_base_stride = *old_strides.last().unwrap();
        let mut tensor_numel = 1usize;
        let mut view_numel = 1usize;
        for tensor_d in (0..old_shape.len()).rev() {
            tensor_numel *= old_shape[tensor_d];
            if tensor_d == 0
                || (old_shape[tensor_d - 1] != 1
                    && old_strides[tensor_d - 1] != tensor_numel as isize * chunk_base_stride)
            {
                while view_d >= 0 && (view_numel < tensor_numel || new_shape[view_d as usize] == 1) {
                    new_strides[view_d as usize] = view_numel as isize * chunk_base_stride;
                    view_numel *= new_shape[view_d as usize];
                    view_d -= 1;
                }
                if view_numel != tensor_numel {
                    return None;
                }
                if tensor_d > 0 {
                    chunk_base_stride = old_strides[tensor_d - 1];
                    tensor_numel = 1;
                    view_numel = 1;
                }
            }
        }
        if view_d != -1 {
            return None;
        }
        Some(new_strides)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn views() {
        let l = Layout::contiguous(&[2, 3]);
        assert!(l.is_contiguous());
        let t = l.transpose(0, 1).unwrap();
        assert!(!t.is_contiguous());
        assert_eq!(t.strides.as_slice(), &[1, 3]);
        assert!(t.view_strides(&[6]).is_none());
        assert_eq!(l.view_strides(&[3, 2]).unwrap().as_slice(), &[2, 1]);
        let e = Layout::contiguous(&[3]).expand(&[2, 3]).unwrap();
        assert_eq!(e.strides.as_slice(), &[0, 1]);
        let s = l.select(1, -1).unwrap();
        assert_eq!((s.offset, s.shape.as_slice()), (2, &[2usize][..]));
    }
}
