//! Triangles and diagonals: tril / triu, diagonal (a view), diag_embed, diag, trace.
//! Differentiable; diag_embed and diagonal are each other's backward.

use crate::autograd::{needs_grad, record};
use crate::backend;
use crate::dtype::DType;
use crate::error::Result;
use crate::layout::Layout;
use crate::ops::checks::not_implemented;
use crate::shape::{normalize_dim, Shape};
use crate::tensor::Tensor;
use crate::rt_err;
use std::sync::Arc;

impl Tensor {
    fn tri(&self, diagonal: isize, lower: bool) -> Result<Tensor> {
        let name = if lower { "tril" } else { "triu" };
        if self.rank() < 2 {
            return Err(rt_err!("{name}: input tensor must have at least 2 dimensions"));
        }
        let out = self.contiguous_raw()?;
        backend::fill_triangle(&out, diagonal, lower)?;
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
        let out = Tensor::zeros_on(&shape, self.dtype(), self.device())?;
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
            return Err(not_implemented("trace", self.dtype()));
        }
        self.diagonal(0, 0, 1)?.sum()
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
