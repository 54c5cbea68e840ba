//! Splitting into views: split / split_with_sizes / chunk / tensor_split / unbind. Each piece
//! is a narrow (or select) of the input, sharing its storage.

use crate::error::{Error, Result};
use crate::shape::normalize_dim;
use crate::tensor::Tensor;
use crate::rt_err;

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
