//! Matrix products: mm, bmm, matmul (`@`), mv, addmm, baddbmm, addbmm, addmv,
//! vdot, inner, outer, tensordot, kron, linear. (`einsum` lives in `einsum.rs`.)
//!
//! Everything reduces to one differentiable primitive, `product`: a batched,
//! broadcasting, strided `A @ B` (plus the fused `beta * C + alpha * A @ B`
//! of the add* family). Its backward is two more products
//! (`dA = dC @ B^T`, `dB = A^T @ dC`); the autograd engine sums those back over
//! broadcast batch dims. Transposed/sliced/expanded operands reach the kernel as
//! strides, never copied.

use crate::autograd::{needs_grad, record};
use crate::backend;
use crate::dtype::{DType, Scalar};
use crate::error::{Error, Result};
use crate::ops::checks::{check_same_device, not_implemented};
use crate::shape::{normalize_dim, numel, Shape};
use crate::tensor::{dtype_title, Tensor};

/// C++ type names, as PyTorch's "expected m1 and m2 to have the same dtype" message spells them.
pub(crate) fn c_type_name(d: DType) -> &'static str {
    match d {
        DType::Bool => "bool",
        DType::I32 => "int",
        DType::I64 => "long int",
        DType::F32 => "float",
        DType::F64 => "double",
    }
}

fn is_one(s: Scalar) -> bool {
    match s {
        Scalar::Bool(b) => b,
        Scalar::Int(i) => i == 1,
        Scalar::Float(f) => f == 1.0,
    }
}
fn is_zero(s: Scalar) -> bool {
    match s {
        Scalar::Bool(b) => !b,
        Scalar::Int(i) => i == 0,
        Scalar::Float(f) => f == 0.0,
    }
}

/// Broadcast batch shape of two (..., r, c) operands, with PyTorch's message.
fn batch_shape(a: &Tensor, b: &Tensor) -> Result<Shape> {
    let (ba, bb) = (&a.shape()[..a.rank() - 2], &b.shape()[..b.rank() - 2]);
    let n = ba.len().max(bb.len());
    let mut out = Shape::new();
    for i in 0..n {
        let da = if i + ba.len() >= n { ba[i + ba.len() - n] } else { 1 };
        let db = if i + bb.len() >= n { bb[i + bb.len() - n] } else { 1 };
        if da != db && da != 1 && db != 1 {
            return Err(Error::Runtime(format!(
                "The size of tensor a ({da}) must match the size of tensor b ({db}) at non-singleton dimension {i}"
            )));
        }
        out.push(if da == 1 { db } else { da });
    }
    Ok(out)
}

/// The one differentiable product: `alpha * a @ b`, plus `beta * input` when given.
/// `a`: (..., m, k), `b`: (..., k, n), both rank >= 2, batch dims broadcast; shapes
/// and dtypes are checked by the callers (each with its PyTorch message).
fn product(a: &Tensor, b: &Tensor, input: Option<(&Tensor, Scalar)>, alpha: Scalar, name: &'static str) -> Result<Tensor> {
    let mut shape = batch_shape(a, b)?;
    shape.push(a.shape()[a.rank() - 2]);
    shape.push(b.shape()[b.rank() - 1]);
    let k = a.shape()[a.rank() - 1];
    let out = if k == 0 { Tensor::zeros_on(&shape, a.dtype(), a.device())? } else { Tensor::empty_on(&shape, a.dtype(), a.device())? };
    let beta = match input {
        Some((inp, beta)) if !is_zero(beta) => {
            let inp = if inp.dtype() != out.dtype() { inp.cast_raw(out.dtype())? } else { inp.clone() };
            out.copy_from_raw(&inp)?;
            Some(beta)
        }
        _ => None,
    };
    if out.numel() > 0 {
        // a fresh output can't alias the inputs
        backend::gemm(&out, a, b, alpha, beta)?;
    }
    let inputs: Vec<&Tensor> = match input {
        Some((inp, _)) => vec![a, b, inp],
        None => vec![a, b],
    };
    if needs_grad(&inputs) {
        let (ga, gb) = (a.requires_grad(), b.requires_grad());
        let gi = input.map(|(t, beta)| (t.requires_grad(), beta));
        // each side's gradient needs only the other side
        let saved = vec![if gb { a.clone() } else { a.detach() }, if ga { b.clone() } else { b.detach() }];
        record(name, &out, &inputs, saved, move |s, g| {
            let scale = |t: Tensor| if is_one(alpha) { Ok(t) } else { t.mul(&Tensor::wrapped_scalar(alpha)) };
            let mut grads = vec![
                if ga { Some(scale(grad_product(g, &s[1].mt()?)?)?) } else { None },
                if gb { Some(scale(grad_product(&s[0].mt()?, g)?)?) } else { None },
            ];
            if let Some((need, beta)) = gi {
                grads.push(if !need {
                    None
                } else if is_one(beta) {
                    Some(g.clone())
                } else {
                    Some(g.mul(&Tensor::wrapped_scalar(beta))?)
                });
            }
            Ok(grads)
        });
    }
    Ok(out)
}

/// A product inside a backward: 2-D when both sides are, batched otherwise.
fn grad_product(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let name = if a.rank() == 2 && b.rank() == 2 { "MmBackward0" } else { "BmmBackward0" };
    product(a, b, None, Scalar::Int(1), name)
}

fn check_same_dtype_mm(a: &Tensor, b: &Tensor) -> Result<()> {
    if a.dtype() != b.dtype() {
        return Err(Error::Runtime(format!(
            "expected m1 and m2 to have the same dtype, but got: {} != {}",
            c_type_name(a.dtype()),
            c_type_name(b.dtype())
        )));
    }
    Ok(())
}

fn check_same_dtype_bmm(a: &Tensor, b: &Tensor) -> Result<()> {
    if a.dtype() != b.dtype() {
        return Err(Error::Runtime(format!(
            "expected scalar type {} but found {}",
            dtype_title(a.dtype()),
            dtype_title(b.dtype())
        )));
    }
    Ok(())
}

fn check_mm_shapes(op: &str, a: &Tensor, b: &Tensor) -> Result<()> {
    if a.rank() != 2 {
        return Err(Error::Runtime(format!("{op}: self must be a matrix, got {}-D tensor", a.rank())));
    }
    if b.rank() != 2 {
        return Err(Error::Runtime(format!("{op}: mat2 must be a matrix, got {}-D tensor", b.rank())));
    }
    if a.shape()[1] != b.shape()[0] {
        return Err(Error::Runtime(format!(
            "{op}: mat1 and mat2 shapes cannot be multiplied ({}x{} and {}x{})",
            a.shape()[0],
            a.shape()[1],
            b.shape()[0],
            b.shape()[1]
        )));
    }
    Ok(())
}

fn check_bmm_shapes(a: &Tensor, b: &Tensor) -> Result<()> {
    if a.rank() != 3 {
        return Err(Error::Runtime("batch1 must be a 3D tensor".into()));
    }
    if b.rank() != 3 {
        return Err(Error::Runtime("batch2 must be a 3D tensor".into()));
    }
    let (bs, k) = (a.shape()[0], a.shape()[2]);
    if b.shape()[0] != bs || b.shape()[1] != k {
        return Err(Error::Runtime(format!(
            "Expected size for first two dimensions of batch2 tensor to be: [{bs}, {k}] but got: [{}, {}].",
            b.shape()[0],
            b.shape()[1]
        )));
    }
    Ok(())
}

/// Whether `a @ b` (shapes already checked) multiplies anything: PyTorch skips the
/// kernel, and so its dtype checks, for an empty output or an empty inner dimension.
fn has_work(a: &Tensor, b: &Tensor) -> bool {
    let k = a.shape()[a.rank() - 1];
    let batch = |t: &Tensor| t.shape()[..t.rank() - 2].iter().product::<usize>();
    k > 0 && a.shape()[a.rank() - 2] > 0 && b.shape()[b.rank() - 1] > 0 && batch(a) > 0 && batch(b) > 0
}

fn check_not_bool(kernel: &str, a: &Tensor) -> Result<()> {
    if a.dtype() == DType::Bool {
        return Err(not_implemented(kernel, DType::Bool));
    }
    Ok(())
}

impl Tensor {
    /// `mm(mat2)`: product of two 2-D tensors of the same dtype (no broadcasting).
    pub fn mm(&self, mat2: &Tensor) -> Result<Tensor> {
        check_same_device(&[self, mat2])?;
        check_mm_shapes("mm", self, mat2)?;
        check_same_dtype_mm(self, mat2)?;
        if has_work(self, mat2) {
            check_not_bool("addmm_impl_cpu_", self)?;
        }
        product(self, mat2, None, Scalar::Int(1), "MmBackward0")
    }

    /// `bmm(mat2)`: batched product of two 3-D tensors with equal batch sizes.
    pub fn bmm(&self, mat2: &Tensor) -> Result<Tensor> {
        check_same_device(&[self, mat2])?;
        check_bmm_shapes(self, mat2)?;
        if has_work(self, mat2) {
            check_same_dtype_bmm(self, mat2)?;
            check_not_bool("bmm", self)?;
        } else if self.dtype() != mat2.dtype() {
            // PyTorch's empty bmm: no kernel, the result takes mat2's dtype
            return product(&self.to_dtype(mat2.dtype())?, mat2, None, Scalar::Int(1), "BmmBackward0");
        }
        product(self, mat2, None, Scalar::Int(1), "BmmBackward0")
    }

    /// `mv(vec)`: matrix (n x m) times vector (m) -> vector (n).
    pub fn mv(&self, vec: &Tensor) -> Result<Tensor> {
        check_same_device(&[self, vec])?;
        if self.rank() != 2 || vec.rank() != 1 {
            return Err(Error::Runtime(format!(
                "vector + matrix @ vector expected, got 1, {}, {}",
                self.rank(),
                vec.rank()
            )));
        }
        check_mv_sizes(self.shape()[0], self, vec)?;
        check_mv_dtypes(vec.dtype(), self, vec)?;
        let out = product(self, &vec.unsqueeze(1)?, None, Scalar::Int(1), "MvBackward0")?;
        out.squeeze(Some(&[1]))
    }

    /// `matmul(other)` / `@`: PyTorch's full semantics. 1-D operands are promoted
    /// to matrices and the added dim removed again; batch dims broadcast;
    /// an N-D @ 2-D product is folded into one big 2-D product when the layout allows.
    ///
    /// ```
    /// use rgrad::{DType, Tensor};
    /// let a = Tensor::from_slice(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2]).unwrap();
    /// let b = Tensor::eye(2, 2, DType::F32).unwrap().mul_scalar(10.0).unwrap();
    /// assert_eq!(a.matmul(&b).unwrap().to_vec::<f32>().unwrap(), vec![10.0, 20.0, 30.0, 40.0]);
    /// // matrix @ vector
    /// let v = Tensor::from_slice(&[1.0f32, 1.0], &[2]).unwrap();
    /// let y = a.matmul(&v).unwrap();
    /// assert_eq!((y.shape(), y.to_vec::<f32>().unwrap()), (&[2][..], vec![3.0, 7.0]));
    /// // inner sizes must agree
    /// assert!(a.matmul(&Tensor::ones(&[3, 2], DType::F32).unwrap()).is_err());
    /// ```
    pub fn matmul(&self, other: &Tensor) -> Result<Tensor> {
        check_same_device(&[self, other])?;
        let (ra, rb) = (self.rank(), other.rank());
        if ra == 0 || rb == 0 {
            return Err(Error::Runtime(format!(
                "both arguments to matmul need to be at least 1D, but they are {ra}D and {rb}D"
            )));
        }
        match (ra, rb) {
            (1, 1) => {
                check_not_bool("dot", self)?;
                self.dot(other)
            }
            (2, 1) => self.mv(other),
            (1, 2) => self.unsqueeze(0)?.mm(other)?.squeeze(Some(&[0])),
            (2, 2) => self.mm(other),
            (_, 1) | (_, 2) => {
                // fold the leading dims of self into the rows of one 2-D product
                let k = self.shape()[ra - 1];
                let lead: Shape = self.shape()[..ra - 1].into();
                let rows = numel(&lead);
                let folded = self.layout().view_strides(&[rows, k]).is_some();
                if rb == 1 {
                    if folded {
                        check_not_bool("addmv_impl_cpu", self)?;
                        return self.reshape_to(&[rows, k])?.mv(other)?.reshape_to(&lead);
                    }
                    return batched_product(self, &other.unsqueeze(1)?)?.squeeze(Some(&[-1]));
                }
                if folded {
                    let n = other.shape()[1];
                    let mut out_shape = lead.clone();
                    out_shape.push(n);
                    return self.reshape_to(&[rows, k])?.mm(other)?.reshape_to(&out_shape);
                }
                if self.shape()[ra - 1] != other.shape()[0] {
                    // report as the folded product would
                    return Err(Error::Runtime(format!(
                        "mm: mat1 and mat2 shapes cannot be multiplied ({rows}x{k} and {}x{})",
                        other.shape()[0],
                        other.shape()[1]
                    )));
                }
                batched_product(self, other)
            }
            (1, _) => batched_product(&self.unsqueeze(0)?, other)?.squeeze(Some(&[-2])),
            _ => batched_product(self, other),
        }
    }

    /// `addmm(mat1, mat2, beta=1, alpha=1)`: `beta * self + alpha * (mat1 @ mat2)`;
    /// `self` broadcasts to the product's shape; beta = 0 ignores `self` (NaNs included).
    pub fn addmm(&self, mat1: &Tensor, mat2: &Tensor, beta: Scalar, alpha: Scalar) -> Result<Tensor> {
        check_same_device(&[self, mat1, mat2])?;
        check_mm_shapes("addmm", mat1, mat2)?;
        check_add_family_dtypes(self, mat1, mat2, beta, alpha)?;
        check_same_dtype_mm(mat1, mat2)?;
        check_not_bool("addmm_impl_cpu_", mat1)?;
        self.layout().broadcast_to(&[mat1.shape()[0], mat2.shape()[1]])?;
        product(mat1, mat2, Some((self, beta)), alpha, "AddmmBackward0")
    }

    /// `baddbmm(batch1, batch2, beta=1, alpha=1)`: `beta * self + alpha * bmm(batch1, batch2)`.
    pub fn baddbmm(&self, batch1: &Tensor, batch2: &Tensor, beta: Scalar, alpha: Scalar) -> Result<Tensor> {
        check_same_device(&[self, batch1, batch2])?;
        check_bmm_shapes(batch1, batch2)?;
        check_add_family_dtypes(self, batch1, batch2, beta, alpha)?;
        check_same_dtype_bmm(batch1, batch2)?;
        check_not_bool("baddbmm", batch1)?;
        self.layout().broadcast_to(&[batch1.shape()[0], batch1.shape()[1], batch2.shape()[2]])?;
        product(batch1, batch2, Some((self, beta)), alpha, "BaddbmmBackward0")
    }

    /// `addbmm(batch1, batch2, beta=1, alpha=1)`: `beta * self + alpha * sum_b batch1[b] @ batch2[b]`
    /// (one 2-D product over the concatenated inner dimension).
    pub fn addbmm(&self, batch1: &Tensor, batch2: &Tensor, beta: Scalar, alpha: Scalar) -> Result<Tensor> {
        check_same_device(&[self, batch1, batch2])?;
        check_bmm_shapes(batch1, batch2)?;
        check_add_family_dtypes(self, batch1, batch2, beta, alpha)?;
        check_same_dtype_bmm(batch1, batch2)?;
        check_not_bool("addbmm", batch1)?;
        let (bs, n, k) = (batch1.shape()[0], batch1.shape()[1], batch1.shape()[2]);
        let p = batch2.shape()[2];
        let a = batch1.permute(&[1, 0, 2])?.reshape_to(&[n, bs * k])?;
        let b = batch2.reshape_to(&[bs * k, p])?;
        self.layout().broadcast_to(&[n, p])?;
        product(&a, &b, Some((self, beta)), alpha, "AddbmmBackward0")
    }

    /// `addmv(mat, vec, beta=1, alpha=1)`: `beta * self + alpha * (mat @ vec)`.
    pub fn addmv(&self, mat: &Tensor, vec: &Tensor, beta: Scalar, alpha: Scalar) -> Result<Tensor> {
        check_same_device(&[self, mat, vec])?;
        if mat.rank() != 2 || vec.rank() != 1 || self.rank() > 1 {
            return Err(Error::Runtime(format!(
                "vector + matrix @ vector expected, got {}, {}, {}",
                self.rank(),
                mat.rank(),
                vec.rank()
            )));
        }
        let n = mat.shape()[0];
        let input_n = if self.rank() == 1 { self.shape()[0] } else { 1 };
        if (input_n != n && input_n != 1) || mat.shape()[1] != vec.shape()[0] {
            return Err(Error::Runtime(format!(
                "size mismatch, got input ({input_n}), mat ({}x{}), vec ({})",
                mat.shape()[0],
                mat.shape()[1],
                vec.shape()[0]
            )));
        }
        check_mv_dtypes(self.dtype(), mat, vec)?;
        check_scalar_kinds(mat.dtype(), beta, alpha)?;
        let input = self.reshape_to(&[input_n, 1])?;
        let out = product(mat, &vec.unsqueeze(1)?, Some((&input, beta)), alpha, "AddmvBackward0")?;
        out.squeeze(Some(&[1]))
    }

    /// `vdot(other)`: dot product (no conjugation for real dtypes).
    pub fn vdot(&self, other: &Tensor) -> Result<Tensor> {
        if self.rank() == 1 && other.rank() == 1 && self.dtype() == other.dtype() {
            check_not_bool("dot", self)?;
        }
        self.dot(other)
    }

    /// `outer(vec2)`: `self[i] * vec2[j]` of two 1-D tensors (with type promotion).
    pub fn outer(&self, vec2: &Tensor) -> Result<Tensor> {
        if self.rank() != 1 {
            return Err(Error::Runtime(format!("outer: Expected 1-D argument self, but got {}-D", self.rank())));
        }
        if vec2.rank() != 1 {
            return Err(Error::Runtime(format!("outer: Expected 1-D argument vec2, but got {}-D", vec2.rank())));
        }
        self.unsqueeze(1)?.mul(vec2)
    }

    /// `inner(other)`: sum over the last dims of both (a 0-d operand multiplies).
    pub fn inner(&self, other: &Tensor) -> Result<Tensor> {
        if self.rank() == 0 || other.rank() == 0 {
            return self.mul(other);
        }
        if self.rank() == 1 && other.rank() == 1 {
            // PyTorch's inner of two vectors is dot, which has no bool kernel even when empty
            check_not_bool("dot", self)?;
        }
        let (la, lb) = (self.shape()[self.rank() - 1], other.shape()[other.rank() - 1]);
        if la != lb {
            return Err(Error::Runtime(format!(
                "inner() the last dimension must match on both input tensors but got shapes {} and {}",
                crate::shape::fmt_shape(self.shape()),
                crate::shape::fmt_shape(other.shape())
            )));
        }
        self.tensordot(other, &[-1], &[-1])
    }

    /// `tensordot(other, dims_a, dims_b)`: contracts `self`'s `dims_a` with `other`'s `dims_b`
    /// (pairwise), as one 2-D product after permuting and reshaping.
    pub fn tensordot(&self, other: &Tensor, dims_a: &[isize], dims_b: &[isize]) -> Result<Tensor> {
        if dims_a.len() != dims_b.len() {
            return Err(Error::Runtime("both dimension lists should have same length".into()));
        }
        if self.dtype() != other.dtype() {
            return Err(Error::Runtime("both inputs should have same dtype".into()));
        }
        let (ra, rb) = (self.rank(), other.rank());
        let mut ca = vec![false; ra];
        let mut cb = vec![false; rb];
        let mut pa = Vec::new();
        let mut pb = Vec::new();
        for (&da, &db) in dims_a.iter().zip(dims_b) {
            let (ia, ib) = (normalize_dim(da, ra)?, normalize_dim(db, rb)?);
            let (sa, sb) = (self.shape().get(ia).copied().unwrap_or(1), other.shape().get(ib).copied().unwrap_or(1));
            if sa != sb {
                return Err(Error::Runtime(format!(
                    "contracted dimensions need to match, but first has size {sa} in dim {da} and second has size {sb} in dim {db}"
                )));
            }
            if ca.get(ia) == Some(&true) {
                return Err(Error::Runtime(format!("dim {ia} appears multiple times in the list of dims")));
            }
            if cb.get(ib) == Some(&true) {
                return Err(Error::Runtime(format!("dim {ib} appears multiple times in the list of dims")));
            }
            if ia < ra {
                ca[ia] = true;
            }
            if ib < rb {
                cb[ib] = true;
            }
            pa.push(ia);
            pb.push(ib);
        }
        // (mm refuses bool where there is work to do: an empty product is zeros, as PyTorch)
        let free_a: Vec<usize> = (0..ra).filter(|&d| !ca[d]).collect();
        let free_b: Vec<usize> = (0..rb).filter(|&d| !cb[d]).collect();
        let m: usize = free_a.iter().map(|&d| self.shape()[d]).product();
        let n: usize = free_b.iter().map(|&d| other.shape()[d]).product();
        let k: usize = pa.iter().map(|&d| self.shape().get(d).copied().unwrap_or(1)).product();
        let perm_a: Vec<isize> = free_a.iter().chain(pa.iter().filter(|&&d| d < ra)).map(|&d| d as isize).collect();
        let perm_b: Vec<isize> = pb.iter().filter(|&&d| d < rb).chain(free_b.iter()).map(|&d| d as isize).collect();
        let a2 = self.permute(&perm_a)?.reshape_to(&[m, k])?;
        let b2 = other.permute(&perm_b)?.reshape_to(&[k, n])?;
        let mut out_shape: Shape = free_a.iter().map(|&d| self.shape()[d]).collect();
        out_shape.extend(free_b.iter().map(|&d| other.shape()[d]));
        a2.mm(&b2)?.reshape_to(&out_shape)
    }

    /// `tensordot(other, dims=n)`: contracts the last `n` dims of `self` with the first `n` of `other`.
    pub fn tensordot_n(&self, other: &Tensor, n: i64) -> Result<Tensor> {
        if n < 0 {
            return Err(Error::Runtime(format!("tensordot expects dims >= 0, but got dims={n}")));
        }
        let n = n as usize;
        if n > self.rank() || n > other.rank() {
            return Err(Error::Runtime(format!("tensordot expects dims < ndim_a or ndim_b, but got dims={n}")));
        }
        let da: Vec<isize> = (0..n).map(|i| i as isize - n as isize).collect();
        let db: Vec<isize> = (0..n as isize).collect();
        self.tensordot(other, &da, &db)
    }

    /// `kron(other)`: Kronecker product (ranks padded with leading 1s; type promotion as `mul`).
    pub fn kron(&self, other: &Tensor) -> Result<Tensor> {
        let r = self.rank().max(other.rank());
        let pad = |t: &Tensor| -> Shape {
            let mut s: Shape = Shape::from_elem(1, r - t.rank());
            s.extend_from_slice(t.shape());
            s
        };
        let (sa, sb) = (pad(self), pad(other));
        let mut ia = Shape::new();
        let mut ib = Shape::new();
        let mut out = Shape::new();
        for d in 0..r {
            ia.extend_from_slice(&[sa[d], 1]);
            ib.extend_from_slice(&[1, sb[d]]);
            out.push(sa[d] * sb[d]);
        }
        self.reshape_to(&ia)?.mul(&other.reshape_to(&ib)?)?.reshape_to(&out)
    }
}

/// `matmul` of operands with rank >= 2 and at least one batch dim: one batched product.
pub(crate) fn batched_product(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let batch = batch_shape(a, b)?;
    let (k1, k2) = (a.shape()[a.rank() - 1], b.shape()[b.rank() - 2]);
    if k1 != k2 {
        let nb = numel(&batch);
        return Err(Error::Runtime(format!(
            "Expected size for first two dimensions of batch2 tensor to be: [{nb}, {k1}] but got: [{nb}, {k2}]."
        )));
    }
    if has_work(a, b) {
        check_same_dtype_bmm(a, b)?;
        check_not_bool("bmm", a)?;
    } else if a.dtype() != b.dtype() {
        // PyTorch's empty bmm: no kernel, the result takes b's dtype
        return product(&a.to_dtype(b.dtype())?, b, None, Scalar::Int(1), "BmmBackward0");
    }
    product(a, b, None, Scalar::Int(1), "BmmBackward0")
}

fn check_mv_sizes(input_n: usize, mat: &Tensor, vec: &Tensor) -> Result<()> {
    if mat.shape()[1] != vec.shape()[0] {
        return Err(Error::Runtime(format!(
            "size mismatch, got input ({input_n}), mat ({}x{}), vec ({})",
            mat.shape()[0],
            mat.shape()[1],
            vec.shape()[0]
        )));
    }
    Ok(())
}

fn check_mv_dtypes(input: DType, mat: &Tensor, vec: &Tensor) -> Result<()> {
    if input != mat.dtype() || mat.dtype() != vec.dtype() {
        return Err(Error::Runtime(format!(
            "addmv input tensors must have the same dtype, but got {}, {}, and {}",
            dtype_title(input),
            dtype_title(mat.dtype()),
            dtype_title(vec.dtype())
        )));
    }
    // an empty product runs no kernel in PyTorch, so has no dtype to refuse
    if mat.numel() > 0 {
        check_not_bool("addmv_impl_cpu", mat)?;
    }
    Ok(())
}

/// `self` of the add* family must match the operands' dtype; float alpha/beta
/// are accepted for integer tensors (PyTorch truncates them).
fn check_add_family_dtypes(input: &Tensor, a: &Tensor, b: &Tensor, beta: Scalar, alpha: Scalar) -> Result<()> {
    if input.dtype() != b.dtype() {
        return Err(Error::Runtime(format!(
            "self and mat2 must have the same dtype, but got {} and {}",
            dtype_title(input.dtype()),
            dtype_title(b.dtype())
        )));
    }
    check_scalar_kinds(a.dtype(), beta, alpha)
}

fn check_scalar_kinds(_d: DType, _beta: Scalar, _alpha: Scalar) -> Result<()> {
    Ok(())
}

/// `nn.functional.linear(input, weight, bias)`: `input @ weight.T + bias`.
///
/// With a 2-D weight, the input's leading dims are flattened into rows and the product is one
/// addmm (or mm), whatever the input's rank; its backward gives the weight's gradient as
/// `g^T @ x`, contiguous in the weight's own layout (so accumulating it into `.grad` needs no
/// transposing copy), the input's as `g @ W` and the bias's as the column sums of `g`.
pub fn linear(input: &Tensor, weight: &Tensor, bias: Option<&Tensor>) -> Result<Tensor> {
    let r = input.rank();
    let fused = weight.rank() == 2 && r >= 1 && weight.shape()[1] > 0 && input.shape()[r - 1] == weight.shape()[1] && bias.is_none_or(|b| b.rank() <= 1);
    if !fused {
        let wt = weight.t()?;
        return match bias {
            Some(b) => input.matmul(&wt)?.add(b),
            None => input.matmul(&wt),
        };
    }
    let (k, n) = (weight.shape()[1], weight.shape()[0]);
    let rows = input.numel() / k;
    let mut out_shape = input.shape()[..r - 1].to_vec();
    out_shape.push(n);
    let x2 = input.detach().reshape_to(&[rows, k])?;
    let out2 = crate::autograd::no_grad(|| -> Result<Tensor> {
        let wt = weight.detach().t()?;
        match bias {
            Some(b) => b.detach().addmm(&x2, &wt, Scalar::Int(1), Scalar::Int(1)),
            None => x2.mm(&wt),
        }
    })?;
    // the rows as the output's shape: a new root over the product's (contiguous) storage
    let out = Tensor::from_parts(std::sync::Arc::clone(out2.storage()), crate::layout::Layout::contiguous(&out_shape), out2.dtype());
    let mut inputs = vec![input, weight];
    if let Some(b) = bias {
        inputs.push(b);
    }
    if needs_grad(&inputs) {
        let (gi, gw) = (input.requires_grad(), weight.requires_grad());
        let in_shape = input.shape().to_vec();
        let has_bias = bias.is_some();
        record("AddmmBackward0", &out, &inputs, vec![input.clone(), weight.clone()], move |s, g| {
            let (x, w) = (&s[0], &s[1]);
            let g2 = g.reshape_to(&[rows, n])?;
            let dx = if gi { Some(g2.mm(w)?.reshape_to(&in_shape)?) } else { None };
            let dw = if gw { Some(g2.t()?.mm(&x.reshape_to(&[rows, k])?)?) } else { None };
            let mut grads = vec![dx, dw];
            if has_bias {
                grads.push(Some(g2.sum_dims(Some(&[0]), false, None)?));
            }
            Ok(grads)
        });
    }
    Ok(out)
}
