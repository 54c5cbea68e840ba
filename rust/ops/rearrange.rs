//! Rearranging copies and views: flip / fliplr / flipud / roll / rot90, repeat / tile /
//! repeat_interleave, movedim, broadcast_to. Differentiable; most backward passes are other
//! ops of this file (flip for flip), so higher-order gradients work.

use crate::autograd::{needs_grad, record};
use crate::backend;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::ops::checks::first_out_of_range;
use crate::ops::join::cat;
use crate::shape::{self, normalize_dim};
use crate::tensor::Tensor;
use crate::rt_err;

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
        // always a copy, as PyTorch (`contiguous()` would hand back an alias when every size is 1)
        let out = x.clone_t()?;
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

    /// What `repeat_interleave` repeats along: the flattened tensor (dim 0) when `dim` is None,
    /// a 0-d tensor as one element, else `self` and its normalised dim.
    fn interleave_target(&self, dim: Option<isize>) -> Result<(Tensor, usize)> {
        Ok(match dim {
            None => (self.reshape_to(&[self.numel()])?, 0usize),
            Some(d) if self.rank() == 0 => {
                normalize_dim(d, 1)?;
                (self.reshape_to(&[1])?, 0)
            }
            Some(d) => (self.clone(), normalize_dim(d, self.rank())?),
        })
    }

    /// `repeat_interleave(repeats: int, dim)`: each element repeated `repeats` times
    /// along `dim` (the flattened tensor when `dim` is None).
    pub fn repeat_interleave_int(&self, repeats: isize, dim: Option<isize>, output_size: Option<isize>) -> Result<Tensor> {
        if repeats < 0 {
            return Err(rt_err!("repeats can not be negative"));
        }
        let (x, d) = self.interleave_target(dim)?;
        let n = x.shape()[d].checked_mul(repeats as usize).ok_or_else(|| Error::Memory("repeat_interleave: result is too large".into()))?;
        if let Some(o) = output_size {
            if o != n as isize {
                return Err(rt_err!("allocated size does not match required size"));
            }
        }
        let mut exp: Vec<usize> = x.shape().to_vec();
        exp.insert(d + 1, repeats as usize);
        // always a copy (repeats == 1 too), as PyTorch
        let y = x.unsqueeze(d as isize + 1)?.expand_to(&exp)?.clone_t()?;
        let mut fin: Vec<usize> = x.shape().to_vec();
        fin[d] = n;
        y.reshape_to(&fin)
    }

    /// `repeat_interleave(repeats: Tensor, dim)`: element i repeated `repeats[i]` times.
    pub fn repeat_interleave_tensor(&self, repeats: &Tensor, dim: Option<isize>, output_size: Option<isize>) -> Result<Tensor> {
        let (x, d) = self.interleave_target(dim)?;
        if repeats.rank() == 0 || (repeats.rank() == 1 && repeats.numel() == 1) {
            // a single count: a host read
            let r = backend::read_scalar(repeats)?.to_i64() as isize;
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
        x.index_select(d as isize, &idx)
    }
}

/// `repeat_interleave(repeats)` with only a tensor: `[0]*r0 + [1]*r1 + ...`. Its length
/// depends on the data: host reads of whether any count is negative, the largest, and their
/// sum.
pub fn repeat_index(repeats: &Tensor, output_size: Option<isize>) -> Result<Tensor> {
    if repeats.rank() > 1 {
        return Err(rt_err!("repeat_interleave only accept 1D vector as repeat"));
    }
    if repeats.dtype().is_float() || repeats.dtype() == DType::Bool {
        return Err(rt_err!("repeats has to be Long or Int tensor"));
    }
    if first_out_of_range(repeats, 0, i64::MAX)?.is_some() {
        return Err(rt_err!("repeats can not be negative"));
    }
    let r = repeats.reshape_to(&[repeats.numel()])?.detach().cast_raw(DType::I64)?;
    let too_large = || Error::Memory("repeat_interleave: result is too large".into());
    if r.numel() > 0 {
        // the int64 sum cannot wrap when the largest count times their number fits
        let max = backend::read_scalar(&r.amax(None, false)?)?.to_i64();
        max.checked_mul(r.numel() as i64).ok_or_else(too_large)?;
    }
    let total = backend::read_scalar(&r.sum()?)?.to_i64();
    shape::numel_checked(&[total as usize])?;
    if let Some(o) = output_size {
        if o as i64 != total {
            return Err(rt_err!("allocated size does not match required size"));
        }
    }
    let out = Tensor::empty_on(&[total as usize], DType::I64, repeats.device())?;
    backend::repeat_index(&r, &out)?;
    Ok(out)
}
impl Tensor {
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
