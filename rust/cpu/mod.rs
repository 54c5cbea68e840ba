//! CPU kernels. Everything here works on raw pointers + layouts, never on
//! autograd: the `ops` layer decides shapes and dtypes, these loops only move
//! numbers, as fast as the memory allows.

pub mod alloc;
pub mod iter;
pub mod gemm;
pub mod index;
pub mod isa;
pub mod kernels;
pub mod par;
pub mod reduce;
pub mod reduce_scan;
pub mod reduce_simd;
pub mod reduce_softmax;
pub mod rng;
pub mod simd;
pub mod sort;
pub mod sort_radix;
pub mod stream;
pub mod svd;
pub mod vmath;

use crate::dtype::DType;

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
    /// Zero (`false` for bool).
    fn zero() -> Self;
    /// One (`true` for bool).
    fn one() -> Self;
}

macro_rules! impl_element {
    ($t:ty, $d:expr, $zero:expr, $one:expr) => {
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
            fn zero() -> Self { $zero }
            #[inline(always)]
            fn one() -> Self { $one }
        }
    };
}
impl_element!(i32, DType::I32, 0, 1);
impl_element!(i64, DType::I64, 0, 1);
impl_element!(f32, DType::F32, 0.0, 1.0);
impl_element!(f64, DType::F64, 0.0, 1.0);

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

/// Elements above which a kernel splits its work across threads.
pub const PARALLEL_MIN: usize = 1 << 15;
