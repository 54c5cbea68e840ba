//! The WGSL slot of each element-wise op: for a `UnaryOp` / `BinaryOp` (from `crate::kinds`)
//! and a dtype, the body of the shader function `op(...)` that map.wgsl calls per element.
//! `F` in a body stands for the float type (f32 / f64), `I` for the integer type; the helpers
//! they call (`exp_F`, `floor_div_I`, ...) are in shaders/float_ops.wgsl, f32_math.wgsl,
//! f64_math.wgsl and int_ops.wgsl.
//!
//! float64 transcendentals cannot use WGSL's builtins (they are 32-bit underneath: lavapipe
//! compiles them for f64 and returns wrong values), so every float op says in [`F64_TABLE`]
//! how it is computed in float64; an op marked `Missing` raises NotImplementedError naming the op
//! and dtype instead of computing something wrong.

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::kinds::{BinaryOp, UnaryOp};

/// How a float op is computed in float64 on the GPU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum F64Impl {
    /// IEEE-exact arithmetic, bit manipulation, or builtins the f64 SPIR-V instruction set
    /// defines exactly (sqrt, floor, ceil, trunc, round, fma): correct by construction.
    Exact,
    /// Written in shaders/f64_math.wgsl (ported from musl / FreeBSD msun), tested against NumPy
    /// to <= 4 ulp in tests/rust/gpu.rs.
    Ported,
    /// Not available in float64 on the GPU: NotImplementedError.
    Missing,
}

/// THE float64 decision table: every float op that involves more than arithmetic, and how its
/// float64 version is computed. Ops not listed (add, mul, comparisons, casts, ...) are `Exact`.
pub const F64_TABLE: &[(&str, F64Impl)] = &[
    ("abs", F64Impl::Exact),
    ("sign", F64Impl::Exact),
    ("sqrt", F64Impl::Exact),
    ("rsqrt", F64Impl::Exact),
    ("floor", F64Impl::Exact),
    ("ceil", F64Impl::Exact),
    ("round", F64Impl::Exact),
    ("round_decimals", F64Impl::Exact),
    ("trunc", F64Impl::Exact),
    ("frac", F64Impl::Exact),
    ("relu", F64Impl::Exact),
    ("clamp", F64Impl::Exact),
    ("nan_to_num", F64Impl::Exact),
    ("div_floor", F64Impl::Exact),
    ("remainder", F64Impl::Exact),
    ("fmod", F64Impl::Exact),
    ("hypot", F64Impl::Exact),
    ("copysign", F64Impl::Exact),
    ("maximum", F64Impl::Exact),
    ("minimum", F64Impl::Exact),
    ("fmax", F64Impl::Exact),
    ("fmin", F64Impl::Exact),
    ("exp", F64Impl::Ported),
    ("exp2", F64Impl::Ported),
    ("expm1", F64Impl::Ported),
    ("log", F64Impl::Ported),
    ("log2", F64Impl::Ported),
    ("log10", F64Impl::Ported),
    ("log1p", F64Impl::Ported),
    ("sin", F64Impl::Ported),
    ("cos", F64Impl::Ported),
    ("tan", F64Impl::Ported),
    ("asin", F64Impl::Ported),
    ("acos", F64Impl::Ported),
    ("atan", F64Impl::Ported),
    ("atan2", F64Impl::Ported),
    ("sinh", F64Impl::Ported),
    ("cosh", F64Impl::Ported),
    ("tanh", F64Impl::Ported),
    ("asinh", F64Impl::Ported),
    ("acosh", F64Impl::Ported),
    ("atanh", F64Impl::Ported),
    ("sigmoid", F64Impl::Ported),
    ("silu", F64Impl::Ported),
    ("softplus", F64Impl::Ported),
    ("gelu", F64Impl::Ported),
    ("gelu_tanh", F64Impl::Ported),
    ("erf", F64Impl::Ported),
    ("pow", F64Impl::Ported),
    // Kernels outside the element-wise table that need exp/log in float64.
    ("softmax", F64Impl::Ported),
    ("log_softmax", F64Impl::Ported),
    ("logcumsumexp", F64Impl::Ported),
    ("normal", F64Impl::Ported),
    ("exponential", F64Impl::Ported),
];

/// How `op` is computed in float64 (see [`F64_TABLE`]).
pub fn f64_impl(op: &str) -> F64Impl {
    F64_TABLE.iter().find(|(n, _)| *n == op).map_or(F64Impl::Exact, |(_, i)| *i)
}

/// Err(NotImplementedError) when `op` has no float64 GPU implementation and `dtype` is float64.
pub fn check_f64(op: &str, dtype: DType) -> Result<()> {
    if dtype == DType::F64 && f64_impl(op) == F64Impl::Missing {
        return Err(Error::NotImplemented(format!(
            "\"{op}\" is not implemented for 'Double' on the GPU (WGSL's math builtins are 32-bit only); use .float() or compute it on the CPU"
        )));
    }
    Ok(())
}

/// Every unary op by the name its shader key carries (parameters are placeholders: they reach
/// the shader as metadata scalars, so one shader serves every value).
pub const UNARY_OPS: &[(&str, UnaryOp)] = &[
    ("neg", UnaryOp::Neg),
    ("abs", UnaryOp::Abs),
    ("sign", UnaryOp::Sign),
    ("exp", UnaryOp::Exp),
    ("exp2", UnaryOp::Exp2),
    ("expm1", UnaryOp::Expm1),
    ("log", UnaryOp::Log),
    ("log2", UnaryOp::Log2),
    ("log10", UnaryOp::Log10),
    ("log1p", UnaryOp::Log1p),
    ("sqrt", UnaryOp::Sqrt),
    ("rsqrt", UnaryOp::Rsqrt),
    ("square", UnaryOp::Square),
    ("reciprocal", UnaryOp::Reciprocal),
    ("sin", UnaryOp::Sin),
    ("cos", UnaryOp::Cos),
    ("tan", UnaryOp::Tan),
    ("asin", UnaryOp::Asin),
    ("acos", UnaryOp::Acos),
    ("atan", UnaryOp::Atan),
    ("sinh", UnaryOp::Sinh),
    ("cosh", UnaryOp::Cosh),
    ("tanh", UnaryOp::Tanh),
    ("asinh", UnaryOp::Asinh),
    ("acosh", UnaryOp::Acosh),
    ("atanh", UnaryOp::Atanh),
    ("sigmoid", UnaryOp::Sigmoid),
    ("relu", UnaryOp::Relu),
    ("gelu", UnaryOp::Gelu),
    ("gelu_tanh", UnaryOp::GeluTanh),
    ("silu", UnaryOp::Silu),
    ("softplus", UnaryOp::Softplus { beta: 1.0, threshold: 20.0 }),
    ("erf", UnaryOp::Erf),
    ("floor", UnaryOp::Floor),
    ("ceil", UnaryOp::Ceil),
    ("round", UnaryOp::Round),
    ("round_decimals", UnaryOp::RoundDecimals(0)),
    ("trunc", UnaryOp::Trunc),
    ("frac", UnaryOp::Frac),
    ("clamp", UnaryOp::Clamp { min: None, max: None }),
    ("nan_to_num", UnaryOp::NanToNum { nan: 0.0, posinf: None, neginf: None }),
    ("isnan", UnaryOp::IsNan),
    ("isinf", UnaryOp::IsInf),
    ("isfinite", UnaryOp::IsFinite),
    ("isposinf", UnaryOp::IsPosInf),
    ("isneginf", UnaryOp::IsNegInf),
    ("signbit", UnaryOp::Signbit),
    ("logical_not", UnaryOp::LogicalNot),
    ("bitwise_not", UnaryOp::BitNot),
];

/// The shader name of a unary op.
pub fn unary_name(op: UnaryOp) -> &'static str {
    let d = std::mem::discriminant(&op);
    UNARY_OPS.iter().find(|(_, o)| std::mem::discriminant(o) == d).map(|(n, _)| *n).expect("every UnaryOp is in UNARY_OPS")
}

/// Every binary op by shader name.
pub const BINARY_OPS: &[(&str, BinaryOp)] = &[
    ("add", BinaryOp::Add),
    ("sub", BinaryOp::Sub),
    ("mul", BinaryOp::Mul),
    ("div", BinaryOp::Div),
    ("div_trunc", BinaryOp::DivTrunc),
    ("div_floor", BinaryOp::DivFloor),
    ("remainder", BinaryOp::Remainder),
    ("fmod", BinaryOp::Fmod),
    ("pow", BinaryOp::Pow),
    ("maximum", BinaryOp::Maximum),
    ("minimum", BinaryOp::Minimum),
    ("fmax", BinaryOp::Fmax),
    ("fmin", BinaryOp::Fmin),
    ("atan2", BinaryOp::Atan2),
    ("hypot", BinaryOp::Hypot),
    ("copysign", BinaryOp::Copysign),
    ("bitwise_and", BinaryOp::BitAnd),
    ("bitwise_or", BinaryOp::BitOr),
    ("bitwise_xor", BinaryOp::BitXor),
    ("shl", BinaryOp::Shl),
    ("shr", BinaryOp::Shr),
    ("logical_and", BinaryOp::LogicalAnd),
    ("logical_or", BinaryOp::LogicalOr),
    ("logical_xor", BinaryOp::LogicalXor),
    ("eq", BinaryOp::Eq),
    ("ne", BinaryOp::Ne),
    ("lt", BinaryOp::Lt),
    ("le", BinaryOp::Le),
    ("gt", BinaryOp::Gt),
    ("ge", BinaryOp::Ge),
];

/// The shader name of a binary op.
pub fn binary_name(op: BinaryOp) -> &'static str {
    BINARY_OPS.iter().find(|(_, o)| *o == op).map(|(n, _)| *n).expect("every BinaryOp is in BINARY_OPS")
}

fn unsupported(kind: &str, name: &str, dtype: DType) -> Error {
    Error::NotImplemented(format!("GPU {kind} kernel \"{name}\" is not implemented for dtype {dtype}"))
}

/// The body of `fn op(i: u32, x: T) -> O` for a unary op (O is u32 for bool-valued ops).
pub fn unary_body(op: UnaryOp, dtype: DType) -> Result<String> {
    let name = unary_name(op);
    let body: &str = match dtype {
        DType::F32 | DType::F64 => {
            check_f64(name, dtype)?;
            match op {
                UnaryOp::Neg => "return -x;",
                UnaryOp::Abs => "return fabs_F(x);",
                UnaryOp::Sign => "return sign_F(x);",
                UnaryOp::Exp => "return exp_F(x);",
                UnaryOp::Exp2 => "return exp2_F(x);",
                UnaryOp::Expm1 => "return expm1_F(x);",
                UnaryOp::Log => "return log_F(x);",
                UnaryOp::Log2 => "return log2_F(x);",
                UnaryOp::Log10 => "return log10_F(x);",
                UnaryOp::Log1p => "return log1p_F(x);",
                UnaryOp::Sqrt => "return sqrt_F(x);",
                UnaryOp::Rsqrt => "return F(1) / sqrt_F(x);",
                UnaryOp::Square => "return x * x;",
                UnaryOp::Reciprocal => "return F(1) / x;",
                UnaryOp::Sin => "return sin_F(x);",
                UnaryOp::Cos => "return cos_F(x);",
                UnaryOp::Tan => "return tan_F(x);",
                UnaryOp::Asin => "return asin_F(x);",
                UnaryOp::Acos => "return acos_F(x);",
                UnaryOp::Atan => "return atan_F(x);",
                UnaryOp::Sinh => "return sinh_F(x);",
                UnaryOp::Cosh => "return cosh_F(x);",
                UnaryOp::Tanh => "return tanh_F(x);",
                UnaryOp::Asinh => "return asinh_F(x);",
                UnaryOp::Acosh => "return acosh_F(x);",
                UnaryOp::Atanh => "return atanh_F(x);",
                UnaryOp::Sigmoid => "return sigmoid_F(x);",
                UnaryOp::Relu => "if (x > F(0) || isnan_F(x)) { return x; } return F(0);",
                UnaryOp::Gelu => "return F(0.5) * x * (F(1) + erf_F(x * F(0.7071067811865476)));",
                UnaryOp::GeluTanh => "let k = F(0.7978845608028654); return F(0.5) * x * (F(1) + tanh_F(k * (x + F(0.044715) * x * x * x)));",
                UnaryOp::Silu => "return x / (F(1) + exp_F(-x));",
                UnaryOp::Softplus { .. } => "let beta = scalar_F(0u); if (x * beta > scalar_F(1u)) { return x; } return log1p_F(exp_F(x * beta)) / beta;",
                UnaryOp::Erf => "return erf_F(x);",
                UnaryOp::Floor => "return floor(x);",
                UnaryOp::Ceil => "return ceil(x);",
                UnaryOp::Round => "return round(x);",
                UnaryOp::RoundDecimals(_) => "let p = scalar_F(0u); if ((mw(M_FLAGS) & 1u) == 0u) { return round(x * p) / p; } return round(x / p) * p;",
                UnaryOp::Trunc => "return trunc(x);",
                UnaryOp::Frac => "return x - trunc(x);",
                UnaryOp::Clamp { .. } => {
                    "if (isnan_F(x)) { return x; } var a = x; let lo = scalar_F(0u); let hi = scalar_F(1u); let f = mw(M_FLAGS); \
                     if ((f & 1u) != 0u && (a < lo || isnan_F(lo))) { a = lo; } if ((f & 2u) != 0u && (a > hi || isnan_F(hi))) { a = hi; } return a;"
                }
                UnaryOp::NanToNum { .. } => "if (isnan_F(x)) { return scalar_F(0u); } if (isinf_F(x)) { return select(scalar_F(2u), scalar_F(1u), x > F(0)); } return x;",
                UnaryOp::IsNan => "return select(0u, 1u, isnan_F(x));",
                UnaryOp::IsInf => "return select(0u, 1u, isinf_F(x));",
                UnaryOp::IsFinite => "return select(0u, 1u, isfinite_F(x));",
                UnaryOp::IsPosInf => "return select(0u, 1u, isinf_F(x) && !signbit_F(x));",
                UnaryOp::IsNegInf => "return select(0u, 1u, isinf_F(x) && signbit_F(x));",
                UnaryOp::Signbit => "return select(0u, 1u, signbit_F(x));",
                UnaryOp::LogicalNot => "return select(0u, 1u, !truthy_F(x));",
                UnaryOp::BitNot => return Err(unsupported("unary", name, dtype)),
            }
        }
        DType::I32 | DType::I64 => match op {
            UnaryOp::Neg => "return -x;",
            UnaryOp::Abs => "return select(x, -x, x < I(0));",
            UnaryOp::Sign => "return select(select(I(0), I(1), x > I(0)), I(-1), x < I(0));",
            UnaryOp::Square => "return x * x;",
            UnaryOp::Relu => "return select(x, I(0), x < I(0));",
            UnaryOp::BitNot => "return ~x;",
            UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Round | UnaryOp::RoundDecimals(_) | UnaryOp::Trunc | UnaryOp::NanToNum { .. } => "return x;",
            UnaryOp::Clamp { .. } => {
                "var a = x; let f = mw(M_FLAGS); if ((f & 1u) != 0u && a < scalar_I(0u)) { a = scalar_I(0u); } \
                 if ((f & 2u) != 0u && a > scalar_I(1u)) { a = scalar_I(1u); } return a;"
            }
            UnaryOp::IsNan | UnaryOp::IsInf | UnaryOp::IsPosInf | UnaryOp::IsNegInf => "return 0u;",
            UnaryOp::IsFinite => "return 1u;",
            UnaryOp::Signbit => "return select(0u, 1u, x < I(0));",
            UnaryOp::LogicalNot => "return select(0u, 1u, x == I(0));",
            _ => return Err(unsupported("unary", name, dtype)),
        },
        DType::Bool => match op {
            UnaryOp::BitNot => "return 1u - x;",
            UnaryOp::Abs | UnaryOp::Sign | UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Round | UnaryOp::Trunc | UnaryOp::NanToNum { .. } => "return x;",
            UnaryOp::Clamp { .. } => "return (x | scalar_u32(0u)) & scalar_u32(1u);",
            UnaryOp::IsNan | UnaryOp::IsInf | UnaryOp::IsPosInf | UnaryOp::IsNegInf | UnaryOp::Signbit => "return 0u;",
            UnaryOp::IsFinite => "return 1u;",
            UnaryOp::LogicalNot => "return select(0u, 1u, x == 0u);",
            _ => return Err(unsupported("unary", name, dtype)),
        },
    };
    Ok(instantiate(body, dtype))
}

/// Replaces the type letters in a body: the identifier `F` or `I` becomes `dtype`'s WGSL type, and
/// a `_F` / `_I` suffix (`exp_F`) becomes `_f32` etc.
pub fn instantiate(body: &str, dtype: DType) -> String {
    let t = super::super::source::wgsl_type(dtype);
    let mut out = String::with_capacity(body.len() + 16);
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word == "F" || word == "I" {
            out.push_str(t);
        } else if word.ends_with("_F") || word.ends_with("_I") {
            out.push_str(&word[..word.len() - 1]);
            out.push_str(t);
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in body.chars() {
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// The body of `fn op(i: u32, a: T, b: T) -> O` for a binary op; `status` is set when the
/// kernel needs the status words (integer division by zero).
pub fn binary_body(op: BinaryOp, dtype: DType, status: &mut bool) -> Result<String> {
    let name = binary_name(op);
    let cmp = |e: &str| format!("return select(0u, 1u, {e});");
    let body: String = match dtype {
        DType::F32 | DType::F64 => {
            check_f64(name, dtype)?;
            let nan = "!isnan_F(a) && !isnan_F(b) && ";
            match op {
                BinaryOp::Add => "return a + b;".into(),
                BinaryOp::Sub => "return a - b;".into(),
                BinaryOp::Mul => "return a * b;".into(),
                BinaryOp::Div => "return a / b;".into(),
                BinaryOp::DivTrunc => "return trunc(a / b);".into(),
                BinaryOp::DivFloor => "return floor_div_F(a, b);".into(),
                BinaryOp::Remainder => "return remainder_F(a, b);".into(),
                BinaryOp::Fmod => "return fmod_F(a, b);".into(),
                BinaryOp::Pow => "return pow_F(a, b);".into(),
                BinaryOp::Maximum => "return nan_max_F(a, b);".into(),
                BinaryOp::Minimum => "return nan_min_F(a, b);".into(),
                BinaryOp::Fmax => "return fmax_F(a, b);".into(),
                BinaryOp::Fmin => "return fmin_F(a, b);".into(),
                BinaryOp::Atan2 => "return atan2_F(a, b);".into(),
                BinaryOp::Hypot => "return hypot_F(a, b);".into(),
                BinaryOp::Copysign => "return copysign_F(a, b);".into(),
                BinaryOp::Eq => cmp(&format!("{nan}a == b")),
                BinaryOp::Ne => cmp(&format!("!({nan}a == b)")),
                BinaryOp::Lt => cmp(&format!("{nan}a < b")),
                BinaryOp::Le => cmp(&format!("{nan}a <= b")),
                BinaryOp::Gt => cmp(&format!("{nan}a > b")),
                BinaryOp::Ge => cmp(&format!("{nan}a >= b")),
                BinaryOp::LogicalAnd => cmp("truthy_F(a) && truthy_F(b)"),
                BinaryOp::LogicalOr => cmp("truthy_F(a) || truthy_F(b)"),
                BinaryOp::LogicalXor => cmp("truthy_F(a) != truthy_F(b)"),
                BinaryOp::BitAnd | BinaryOp::BitOr | BinaryOp::BitXor | BinaryOp::Shl | BinaryOp::Shr => return Err(unsupported("binary", name, dtype)),
            }
        }
        DType::I32 | DType::I64 => {
            let zero = "if (b == I(0)) { report(1u, 0u, 0u, 0u, 0u); return I(0); } ";
            if op.divides() {
                *status = true;
            }
            match op {
                BinaryOp::Add => "return a + b;".into(),
                BinaryOp::Sub => "return a - b;".into(),
                BinaryOp::Mul => "return a * b;".into(),
                BinaryOp::DivTrunc => format!("{zero}return a / b;"),
                BinaryOp::DivFloor => format!("{zero}return floor_div_I(a, b);"),
                BinaryOp::Remainder => format!("{zero}return remainder_I(a, b);"),
                BinaryOp::Fmod => format!("{zero}return a % b;"),
                BinaryOp::Pow => "return ipow_I(a, b);".into(),
                BinaryOp::Maximum | BinaryOp::Fmax => "return select(b, a, a > b);".into(),
                BinaryOp::Minimum | BinaryOp::Fmin => "return select(b, a, a < b);".into(),
                BinaryOp::BitAnd => "return a & b;".into(),
                BinaryOp::BitOr => "return a | b;".into(),
                BinaryOp::BitXor => "return a ^ b;".into(),
                BinaryOp::Shl => "return shl_I(a, b);".into(),
                BinaryOp::Shr => "return shr_I(a, b);".into(),
                BinaryOp::Eq => cmp("a == b"),
                BinaryOp::Ne => cmp("a != b"),
                BinaryOp::Lt => cmp("a < b"),
                BinaryOp::Le => cmp("a <= b"),
                BinaryOp::Gt => cmp("a > b"),
                BinaryOp::Ge => cmp("a >= b"),
                BinaryOp::LogicalAnd => cmp("a != I(0) && b != I(0)"),
                BinaryOp::LogicalOr => cmp("a != I(0) || b != I(0)"),
                BinaryOp::LogicalXor => cmp("(a != I(0)) != (b != I(0))"),
                BinaryOp::Div | BinaryOp::Atan2 | BinaryOp::Hypot | BinaryOp::Copysign => return Err(unsupported("binary", name, dtype)),
            }
        }
        DType::Bool => match op {
            BinaryOp::Add | BinaryOp::Maximum | BinaryOp::Fmax | BinaryOp::BitOr => "return a | b;".into(),
            BinaryOp::Mul | BinaryOp::Minimum | BinaryOp::Fmin | BinaryOp::BitAnd => "return a & b;".into(),
            BinaryOp::BitXor => "return a ^ b;".into(),
            BinaryOp::Eq => cmp("a == b"),
            BinaryOp::Ne => cmp("a != b"),
            BinaryOp::Lt => cmp("a < b"),
            BinaryOp::Le => cmp("a <= b"),
            BinaryOp::Gt => cmp("a > b"),
            BinaryOp::Ge => cmp("a >= b"),
            BinaryOp::LogicalAnd => cmp("a != 0u && b != 0u"),
            BinaryOp::LogicalOr => cmp("a != 0u || b != 0u"),
            BinaryOp::LogicalXor => cmp("(a != 0u) != (b != 0u)"),
            _ => return Err(unsupported("binary", name, dtype)),
        },
    };
    Ok(instantiate(&body, dtype))
}

/// The body of `fn op(i: u32, x: S) -> D` converting one element of `src` to `dst` as rgrad's
/// CPU cast does (Rust's `as`: floats to integers toward zero, saturating, NaN to 0; anything
/// to bool is "not zero", NaN included).
pub fn cast_body(src: DType, dst: DType) -> String {
    use DType::*;
    let s = super::super::source::wgsl_type(src);
    let d = super::super::source::wgsl_type(dst);
    match (src, dst) {
        _ if src == dst => "return x;".into(),
        (F32 | F64, Bool) => format!("return select(0u, 1u, truthy_{s}(x));"),
        (_, Bool) => format!("return select(0u, 1u, x != {s}(0));"),
        (F32 | F64, I32) => format!("return to_i32_{s}(x);"),
        (F32 | F64, I64) => format!("return to_i64_{s}(x);"),
        _ => format!("return {d}(x);"),
    }
}
