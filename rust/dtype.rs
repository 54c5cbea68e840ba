//! Element types and PyTorch's type-promotion rules.

use crate::error::{Error, Result};
use std::fmt;
use std::sync::atomic::{AtomicU8, Ordering};

/// A tensor element type (`torch.dtype`), the subset rgrad supports.
/// Variants are ordered Bool < I32 < I64 < F32 < F64.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DType {
    /// `torch.bool`: one byte, 0 or 1.
    Bool,
    /// `torch.int32` (`int`).
    I32,
    /// `torch.int64` (`long`), the dtype of Python ints.
    I64,
    /// `torch.float32` (`float`), the default floating dtype.
    F32,
    /// `torch.float64` (`double`).
    F64,
}

/// The three categories PyTorch's promotion reasons about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Category {
    /// Booleans.
    Bool,
    /// Signed integers.
    Int,
    /// Floating point.
    Float,
}

impl DType {
    /// Every supported dtype, in order.
    pub const ALL: [DType; 5] = [DType::Bool, DType::I32, DType::I64, DType::F32, DType::F64];

    /// Bytes per element (`torch.dtype.itemsize`).
    pub fn size(self) -> usize {
        match self {
            DType::Bool => 1,
            DType::I32 | DType::F32 => 4,
            DType::I64 | DType::F64 => 8,
        }
    }
    /// Whether this is a floating dtype (`torch.dtype.is_floating_point`).
    pub fn is_float(self) -> bool {
        matches!(self, DType::F32 | DType::F64)
    }
    /// Whether this is an integer dtype (bool is not).
    pub fn is_int(self) -> bool {
        matches!(self, DType::I32 | DType::I64)
    }
    /// The promotion category: bool, integer or float.
    pub fn category(self) -> Category {
        match self {
            DType::Bool => Category::Bool,
            DType::I32 | DType::I64 => Category::Int,
            DType::F32 | DType::F64 => Category::Float,
        }
    }
    /// PyTorch's short name, as in `torch.float32`.
    pub fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::I32 => "int32",
            DType::I64 => "int64",
            DType::F32 => "float32",
            DType::F64 => "float64",
        }
    }
    /// Legacy tensor-type name, as `Tensor.type()` returns it.
    pub fn tensor_type_name(self) -> &'static str {
        match self {
            DType::Bool => "BoolTensor",
            DType::I32 => "IntTensor",
            DType::I64 => "LongTensor",
            DType::F32 => "FloatTensor",
            DType::F64 => "DoubleTensor",
        }
    }
    /// Parses a dtype name as in [`DType::name`], plus the aliases `int`, `long`, `float`
    /// and `double`; any other name is an [`Error::Type`].
    pub fn from_name(s: &str) -> Result<DType> {
        Ok(match s {
            "bool" => DType::Bool,
            "int32" | "int" => DType::I32,
            "int64" | "long" => DType::I64,
            "float32" | "float" => DType::F32,
            "float64" | "double" => DType::F64,
            _ => return Err(Error::Type(format!("unknown dtype '{s}'"))),
        })
    }
    /// NumPy's array-interface type string (little endian).
    pub fn numpy_typestr(self) -> &'static str {
        match self {
            DType::Bool => "|b1",
            DType::I32 => "<i4",
            DType::I64 => "<i8",
            DType::F32 => "<f4",
            DType::F64 => "<f8",
        }
    }
    /// The dtype for a NumPy type string as [`DType::numpy_typestr`] writes it;
    /// `None` for any other (including big-endian) type.
    pub fn from_numpy_typestr(s: &str) -> Option<DType> {
        Some(match s {
            "|b1" => DType::Bool,
            "<i4" => DType::I32,
            "<i8" => DType::I64,
            "<f4" => DType::F32,
            "<f8" => DType::F64,
            _ => return None,
        })
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name())
    }
}

/// The lattice join of two dtypes (`torch.promote_types`).
pub fn promote_types(a: DType, b: DType) -> DType {
    use DType::*;
    if a == b {
        return a;
    }
    match (a, b) {
        (Bool, x) | (x, Bool) => x,
        (F64, _) | (_, F64) => F64,
        (F32, _) | (_, F32) => F32,
        (I64, _) | (_, I64) => I64,
        _ => I32,
    }
}

// The default floating dtype, process-wide as in PyTorch.
static DEFAULT_FLOAT: AtomicU8 = AtomicU8::new(0); // 0 = f32, 1 = f64

/// The process-wide default floating dtype (`torch.get_default_dtype()`): `F32` unless set.
pub fn default_float() -> DType {
    if DEFAULT_FLOAT.load(Ordering::Relaxed) == 1 {
        DType::F64
    } else {
        DType::F32
    }
}

/// Sets the default floating dtype (`torch.set_default_dtype`); only `F32` and `F64`
/// are accepted, anything else is an [`Error::Type`].
pub fn set_default_float(d: DType) -> Result<()> {
    match d {
        DType::F32 => DEFAULT_FLOAT.store(0, Ordering::Relaxed),
        DType::F64 => DEFAULT_FLOAT.store(1, Ordering::Relaxed),
        other => {
            return Err(Error::Type(format!(
                "only floating-point types are supported as the default type, got {other}"
            )))
        }
    }
    Ok(())
}

/// A Python-style scalar operand.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    /// A Python `bool`.
    Bool(bool),
    /// A Python `int`.
    Int(i64),
    /// A Python `float`.
    Float(f64),
}

impl Scalar {
    /// The promotion category of the value.
    pub fn category(self) -> Category {
        match self {
            Scalar::Bool(_) => Category::Bool,
            Scalar::Int(_) => Category::Int,
            Scalar::Float(_) => Category::Float,
        }
    }
    /// The dtype a bare scalar gets when it is made into a tensor.
    pub fn default_dtype(self) -> DType {
        match self {
            Scalar::Bool(_) => DType::Bool,
            Scalar::Int(_) => DType::I64,
            Scalar::Float(_) => default_float(),
        }
    }
    /// The value as `f64` (`true` is 1.0).
    pub fn to_f64(self) -> f64 {
        match self {
            Scalar::Bool(b) => b as u8 as f64,
            Scalar::Int(i) => i as f64,
            Scalar::Float(f) => f,
        }
    }
    /// The value as `i64`; floats truncate toward zero (saturating, NaN gives 0).
    pub fn to_i64(self) -> i64 {
        match self {
            Scalar::Bool(b) => b as i64,
            Scalar::Int(i) => i,
            Scalar::Float(f) => f as i64,
        }
    }
    /// PyTorch's checked conversion of a Python number written into a tensor of `dtype`
    /// (`fill_`, `full`, `masked_fill`, setitem, `where`, ...): a value the dtype cannot
    /// hold is a RuntimeError rather than a silently wrapped one. Floats truncate toward
    /// zero into integers; infinities and NaN fit floats but no integer; any value fits bool.
    /// (Arithmetic with a Python number, `int32_tensor + 2**31`, wraps as in PyTorch.)
    pub fn check_fits(self, dtype: DType) -> Result<()> {
        let fits = match (self, dtype) {
            (Scalar::Bool(_), _) | (_, DType::Bool) | (_, DType::F64) | (Scalar::Int(_), DType::I64 | DType::F32) => true,
            (Scalar::Int(i), DType::I32) => i32::try_from(i).is_ok(),
            (Scalar::Float(f), DType::F32) => !f.is_finite() || f.abs() <= f32::MAX as f64,
            (Scalar::Float(f), DType::I32) => f.is_finite() && f.trunc() >= i32::MIN as f64 && f.trunc() <= i32::MAX as f64,
            // 2^63 itself is out of range (it rounds to i64::MAX + 1 as a float)
            (Scalar::Float(f), DType::I64) => f.is_finite() && f.trunc() >= i64::MIN as f64 && f.trunc() < 9_223_372_036_854_775_808.0,
        };
        if fits {
            return Ok(());
        }
        let name = match dtype {
            DType::I32 => "int",
            DType::I64 => "int64_t",
            DType::F32 => "float",
            DType::F64 => "double",
            DType::Bool => "bool",
        };
        Err(Error::Runtime(format!("value cannot be converted to type {name} without overflow")))
    }
}

impl From<f64> for Scalar {
    fn from(v: f64) -> Self {
        Scalar::Float(v)
    }
}
impl From<f32> for Scalar {
    fn from(v: f32) -> Self {
        Scalar::Float(v as f64)
    }
}
impl From<i64> for Scalar {
    fn from(v: i64) -> Self {
        Scalar::Int(v)
    }
}
impl From<i32> for Scalar {
    fn from(v: i32) -> Self {
        Scalar::Int(v as i64)
    }
}
impl From<bool> for Scalar {
    fn from(v: bool) -> Self {
        Scalar::Bool(v)
    }
}

// ---------- Rust element types ----------

/// A Rust type that a tensor element can be.
pub trait Element: Copy + Send + Sync + 'static + PartialOrd + PartialEq + Default + std::fmt::Debug {
    /// The [`DType`] whose elements have this Rust type.
    const DTYPE: DType;
    /// Converts to `f64` as an `as` cast does (`true` is 1.0).
    fn to_f64(self) -> f64;
    /// Converts from `f64` as an `as` cast does (integers truncate and saturate, NaN gives 0;
    /// bool is `v != 0.0`).
    fn from_f64(v: f64) -> Self;
    /// Converts to `i64` as an `as` cast does (floats truncate toward zero and saturate).
    fn to_i64(self) -> i64;
    /// Converts from `i64` as an `as` cast does (wraps for `i32`; bool is `v != 0`).
    fn from_i64(v: i64) -> Self;
    /// Truthiness: whether the value is not zero (NaN counts as nonzero).
    fn is_nonzero(self) -> bool;
    /// Whether the value is NaN (never for integers and bool).
    fn is_nan(self) -> bool;
    /// Zero (`false` for bool).
    fn zero() -> Self;
    /// One (`true` for bool).
    fn one() -> Self;
}

macro_rules! impl_element {
    ($t:ty, $d:expr, $zero:expr, $one:expr, $is_nan:expr) => {
        impl Element for $t {
            const DTYPE: DType = $d;
            #[inline(always)]
            fn to_f64(self) -> f64 { self as f64 }
            #[inline(always)]
            fn from_f64(v: f64) -> Self { v as $t }
            #[inline(always)]
            fn to_i64(self) -> i64 { self as i64 }
            #[inline(always)]
            fn from_i64(v: i64) -> Self { v as $t }
            #[inline(always)]
            fn is_nonzero(self) -> bool { self != $zero }
            #[inline(always)]
            fn is_nan(self) -> bool { $is_nan(self) }
            #[inline(always)]
            fn zero() -> Self { $zero }
            #[inline(always)]
            fn one() -> Self { $one }
        }
    };
}
impl_element!(i32, DType::I32, 0, 1, |_| false);
impl_element!(i64, DType::I64, 0, 1, |_| false);
impl_element!(f32, DType::F32, 0.0, 1.0, f32::is_nan);
impl_element!(f64, DType::F64, 0.0, 1.0, f64::is_nan);

impl Element for bool {
    const DTYPE: DType = DType::Bool;
    #[inline(always)]
    fn to_f64(self) -> f64 { self as u8 as f64 }
    #[inline(always)]
    fn from_f64(v: f64) -> Self { v != 0.0 }
    #[inline(always)]
    fn to_i64(self) -> i64 { self as i64 }
    #[inline(always)]
    fn from_i64(v: i64) -> Self { v != 0 }
    #[inline(always)]
    fn is_nonzero(self) -> bool { self }
    #[inline(always)]
    fn is_nan(self) -> bool { false }
    #[inline(always)]
    fn zero() -> Self { false }
    #[inline(always)]
    fn one() -> Self { true }
}

/// Runs `$body` with `$T` bound to the Rust type of `$dtype`.
#[macro_export]
macro_rules! dispatch_dtype {
    ($dtype:expr, $T:ident => $body:expr) => {
        match $dtype {
            $crate::dtype::DType::Bool => { type $T = bool; $body }
            $crate::dtype::DType::I32 => { type $T = i32; $body }
            $crate::dtype::DType::I64 => { type $T = i64; $body }
            $crate::dtype::DType::F32 => { type $T = f32; $body }
            $crate::dtype::DType::F64 => { type $T = f64; $body }
        }
    };
}

/// Like `dispatch_dtype!` but only for the floating types; other dtypes reach `$else`.
#[macro_export]
macro_rules! dispatch_float {
    ($dtype:expr, $T:ident => $body:expr, _ => $else:expr) => {
        match $dtype {
            $crate::dtype::DType::F32 => { type $T = f32; $body }
            $crate::dtype::DType::F64 => { type $T = f64; $body }
            _ => $else,
        }
    };
}


/// Converts a scalar to element type `T` (C conversion rules).
pub fn scalar_as<T: Element>(v: Scalar) -> T {
    match v {
        Scalar::Bool(b) => T::from_i64(b as i64),
        Scalar::Int(i) => {
            if T::DTYPE.is_float() {
                T::from_f64(i as f64)
            } else {
                T::from_i64(i)
            }
        }
        Scalar::Float(f) => T::from_f64(f),
    }
}

/// What an operand contributes to `result_type`: PyTorch ranks dimensioned
/// tensors above zero-dim tensors above Python scalars ("wrapped numbers");
/// a lower rank only matters when its category is higher than the winner's.
#[derive(Clone, Copy, Debug)]
pub enum Operand {
    /// A tensor with at least one dim.
    Dimensioned(DType),
    /// A 0-d tensor.
    ZeroDim(DType),
    /// A Python scalar: only its category counts.
    Wrapped(Category),
}

/// The dtype an op over `ops` computes in (`torch.result_type`).
///
/// Promotes within the highest-ranked group present; a lower group wins only with a higher
/// category, and Python scalars then give their category's default dtype (bool, int64,
/// [`default_float`]). No operands give `F32`.
pub fn result_type(ops: &[Operand]) -> DType {
    let mut dim: Option<DType> = None;
    let mut zero: Option<DType> = None;
    let mut wrapped: Option<Category> = None;
    for op in ops {
        match *op {
            Operand::Dimensioned(d) => dim = Some(dim.map_or(d, |x| promote_types(x, d))),
            Operand::ZeroDim(d) => zero = Some(zero.map_or(d, |x| promote_types(x, d))),
            Operand::Wrapped(c) => wrapped = Some(wrapped.map_or(c, |x| x.max(c))),
        }
    }
    let mut result = dim;
    if let Some(z) = zero {
        result = Some(match result {
            None => z,
            Some(r) if z.category() > r.category() => z,
            Some(r) => r,
        });
    }
    if let Some(c) = wrapped {
        let default_for = |c: Category| match c {
            Category::Bool => DType::Bool,
            Category::Int => DType::I64,
            Category::Float => default_float(),
        };
        result = Some(match result {
            None => default_for(c),
            Some(r) if c > r.category() => default_for(c),
            Some(r) => r,
        });
    }
    result.unwrap_or(DType::F32)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn promotion_matches_pytorch() {
        use DType::*;
        assert_eq!(promote_types(I32, I64), I64);
        assert_eq!(promote_types(I64, F32), F32);
        assert_eq!(promote_types(Bool, I32), I32);
        assert_eq!(promote_types(F32, F64), F64);
        // int32 tensor + python int stays int32
        assert_eq!(result_type(&[Operand::Dimensioned(I32), Operand::Wrapped(Category::Int)]), I32);
        // int tensor + python float -> default float
        assert_eq!(result_type(&[Operand::Dimensioned(I64), Operand::Wrapped(Category::Float)]), F32);
        // f32 tensor + f64 zero-dim tensor stays f32
        assert_eq!(result_type(&[Operand::Dimensioned(F32), Operand::ZeroDim(F64)]), F32);
        // i32 tensor + f64 zero-dim -> f64
        assert_eq!(result_type(&[Operand::Dimensioned(I32), Operand::ZeroDim(F64)]), F64);
    }
}
