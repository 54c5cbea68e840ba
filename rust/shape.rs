//! Shapes: dim normalisation, broadcasting, contiguous strides.

use crate::error::{Error, Result};
use smallvec::SmallVec;

/// Sizes of each dimension. Inline up to 6 dims so small-tensor ops don't allocate.
pub type Shape = SmallVec<[usize; 6]>;
/// Signed strides in elements (negative strides come from reversed slices).
pub type Strides = SmallVec<[isize; 6]>;

/// Number of elements of `shape` (1 for `[]`); unchecked, see [`numel_checked`].
pub fn numel(shape: &[usize]) -> usize {
    // Saturating, zero-aware: a product that overflows never wraps to a small count
    // (views refuse such shapes; allocations then fail with MemoryError).
    if shape.contains(&0) {
        return 0;
    }
    shape.iter().try_fold(1usize, |acc, &s| acc.checked_mul(s)).unwrap_or(usize::MAX)
}

/// Row-major strides for `shape`.
pub fn contiguous_strides(shape: &[usize]) -> Strides {
    let mut strides: Strides = SmallVec::from_elem(0, shape.len());
    let mut acc = 1isize;
    for i in (0..shape.len()).rev() {
        strides[i] = acc;
        acc *= shape[i].max(1) as isize;
    }
    strides
}

/// Python-style negative dims, with PyTorch's message on failure.
/// Zero-dim tensors accept dims -1 and 0 as PyTorch does.
pub fn normalize_dim(dim: isize, rank: usize) -> Result<usize> {
    let r = rank.max(1) as isize;
    if dim < -r || dim >= r {
        return Err(Error::Index(format!(
            "Dimension out of range (expected to be in range of [{}, {}], but got {})",
            -r,
            r - 1,
            dim
        )));
    }
    Ok(if dim < 0 { (dim + r) as usize } else { dim as usize })
}

/// Formats a shape as PyTorch prints it in messages: `[2, 3]`.
pub fn fmt_shape(shape: &[usize]) -> String {
    let parts: Vec<String> = shape.iter().map(|s| s.to_string()).collect();
    format!("[{}]", parts.join(", "))
}

/// The broadcast of two shapes, NumPy/PyTorch rules.
pub fn broadcast_shapes(a: &[usize], b: &[usize]) -> Result<Shape> {
    let n = a.len().max(b.len());
    let mut out: Shape = SmallVec::from_elem(0, n);
    for i in 0..n {
        let da = if i + a.len() >= n { a[i + a.len() - n] } else { 1 };
        let db = if i + b.len() >= n { b[i + b.len() - n] } else { 1 };
        out[i] = if da == db || db == 1 {
            da
        } else if da == 1 {
            db
        } else {
            return Err(Error::Runtime(format!(
                "The size of tensor a ({}) must match the size of tensor b ({}) at non-singleton dimension {}; shapes {} and {} cannot be broadcast",
                da,
                db,
                i,
                fmt_shape(a),
                fmt_shape(b)
            )));
        };
    }
    Ok(out)
}

/// The broadcast of any number of shapes (`torch.broadcast_shapes`); none gives `[]`.
pub fn broadcast_all(shapes: &[&[usize]]) -> Result<Shape> {
    let mut out: Shape = Shape::new();
    for s in shapes {
        out = broadcast_shapes(&out, s)?;
    }
    Ok(out)
}

/// Resolves one `-1` in a requested shape against `numel`, as `view`/`reshape` do.
pub fn infer_size(requested: &[isize], numel: usize) -> Result<Shape> {
    let mut infer = None;
    let mut known = 1usize;
    for (i, &s) in requested.iter().enumerate() {
        if s == -1 {
            if infer.is_some() {
                return Err(Error::Runtime("only one dimension can be inferred".into()));
            }
            infer = Some(i);
        } else if s < 0 {
            return Err(Error::Runtime(format!("invalid shape dimension {s}")));
        } else {
            known = known.checked_mul(s as usize).ok_or_else(|| Error::Runtime("shape is too large".into()))?;
        }
    }
    let shape_str = || {
        let parts: Vec<String> = requested.iter().map(|s| s.to_string()).collect();
        format!("[{}]", parts.join(", "))
    };
    let mut out: Shape = requested.iter().map(|&s| s.max(0) as usize).collect();
    match infer {
        Some(i) => {
            if known == 0 || !numel.is_multiple_of(known) {
                return Err(Error::Runtime(format!(
                    "shape '{}' is invalid for input of size {}",
                    shape_str(),
                    numel
                )));
            }
            out[i] = numel / known;
        }
        None => {
            if known != numel {
                return Err(Error::Runtime(format!(
                    "shape '{}' is invalid for input of size {}",
                    shape_str(),
                    numel
                )));
            }
        }
    }
    Ok(out)
}

/// Checks user-given sizes (creation functions): negative sizes are a ValueError-like
/// RuntimeError in PyTorch ("Trying to create tensor with negative dimension").
pub fn check_sizes(sizes: &[isize]) -> Result<Shape> {
    let mut out = Shape::new();
    for &s in sizes {
        if s < 0 {
            return Err(Error::Value(format!(
                "Trying to create tensor with negative dimension {}: {:?}",
                s, sizes
            )));
        }
        out.push(s as usize);
    }
    numel_checked(&out)?;
    Ok(out)
}

/// Number of elements of `shape`, or [`Error::Memory`] when the count overflows or
/// could not be allocated even at 8 bytes per element.
pub fn numel_checked(shape: &[usize]) -> Result<usize> {
    shape
        .iter()
        .try_fold(1usize, |acc, &s| acc.checked_mul(s))
        .filter(|&n| n <= (isize::MAX as usize) / 8)
        .ok_or_else(|| Error::Memory(format!("tensor of shape {} is too large to allocate", fmt_shape(shape))))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn broadcasting() {
        assert_eq!(broadcast_shapes(&[2, 1, 3], &[4, 1]).unwrap().as_slice(), &[2, 4, 3]);
        assert!(broadcast_shapes(&[2, 3], &[4]).is_err());
        assert_eq!(broadcast_shapes(&[], &[5]).unwrap().as_slice(), &[5]);
        assert_eq!(broadcast_shapes(&[0], &[1]).unwrap().as_slice(), &[0]);
    }
    #[test]
    fn infer() {
        assert_eq!(infer_size(&[-1, 4], 8).unwrap().as_slice(), &[2, 4]);
        assert!(infer_size(&[-1, 3], 8).is_err());
        assert!(infer_size(&[-1, -1], 8).is_err());
    }
}
