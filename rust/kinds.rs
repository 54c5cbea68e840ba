//! The operations every backend implements, named by enums that `ops`, `backend`, `cpu` and `gpu`
//! all use (so no kernel layer imports `ops`). The `ops` layer picks
//! one of these plus dtypes; `cpu::kernels` (and later the GPU shaders) run it.

/// Binary elementwise ops (`backend::binary`), applied to broadcast operands that the ops layer
/// has already brought to one computation dtype. Integer division by zero is caught before the
/// kernel runs ([`BinaryOp::divides`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `a + b` (`add`).
    Add,
    /// `a - b` (`sub`).
    Sub,
    /// `a * b` (`mul`).
    Mul,
    /// True division (floats).
    Div,
    /// `div(rounding_mode='trunc')`.
    DivTrunc,
    /// `div(rounding_mode='floor')`, `floor_divide`, `//`.
    DivFloor,
    /// Python's `%`: the result has the sign of the divisor.
    Remainder,
    /// C's `fmod`: the sign of the dividend.
    Fmod,
    /// `a ** b` (`pow`); for integers, exact repeated multiplication (a negative exponent is rejected by the ops layer first).
    Pow,
    /// The larger of the two, NaN-propagating (`maximum`).
    Maximum,
    /// The smaller of the two, NaN-propagating (`minimum`).
    Minimum,
    /// max/min ignoring NaN (NaN only when both are NaN).
    Fmax,
    /// `fmin`: the smaller, ignoring NaN as [`BinaryOp::Fmax`] does.
    Fmin,
    /// `atan2(a, b)`: the angle of the point (b, a), in radians in [-pi, pi].
    Atan2,
    /// `sqrt(a*a + b*b)` without intermediate overflow (`hypot`).
    Hypot,
    /// `a`'s magnitude with `b`'s sign bit (`copysign`; float output).
    Copysign,
    /// Bitwise and (`&`; logical and on bools).
    BitAnd,
    /// Bitwise or (`|`).
    BitOr,
    /// Bitwise exclusive or (`^`).
    BitXor,
    /// `a << b`, wrapping; a shift count outside `0..bits` gives 0 (PyTorch's rule, not Rust's panic).
    Shl,
    /// `a >> b`, arithmetic (sign-filling); a shift count outside `0..bits` gives 0 or -1 by the sign of `a`.
    Shr,
    /// Both nonzero (bool output).
    LogicalAnd,
    /// Either nonzero (bool output).
    LogicalOr,
    /// Exactly one nonzero (bool output).
    LogicalXor,
    /// `a == b` (bool output; NaN is unequal to everything).
    Eq,
    /// `a != b` (bool output).
    Ne,
    /// `a < b` (bool output).
    Lt,
    /// `a <= b` (bool output).
    Le,
    /// `a > b` (bool output).
    Gt,
    /// `a >= b` (bool output).
    Ge,
}

impl BinaryOp {
    /// Comparisons produce bool tensors.
    pub fn is_comparison(self) -> bool {
        matches!(self, BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge)
    }
    /// Ops whose output is bool whatever the inputs (comparisons and logical ops).
    pub fn is_bool_output(self) -> bool {
        self.is_comparison() || matches!(self, BinaryOp::LogicalAnd | BinaryOp::LogicalOr | BinaryOp::LogicalXor)
    }
    /// Bitwise ops: integers and bools only.
    pub fn is_bitwise(self) -> bool {
        matches!(self, BinaryOp::BitAnd | BinaryOp::BitOr | BinaryOp::BitXor | BinaryOp::Shl | BinaryOp::Shr)
    }
    /// Integer ops that fail on a zero divisor.
    pub fn divides(self) -> bool {
        matches!(self, BinaryOp::DivTrunc | BinaryOp::DivFloor | BinaryOp::Remainder | BinaryOp::Fmod)
    }
    /// The kernel name PyTorch uses in "not implemented for" messages.
    pub fn kernel_name(self) -> &'static str {
        match self {
            BinaryOp::Add => "add_cpu",
            BinaryOp::Sub => "sub_cpu",
            BinaryOp::Mul => "mul_cpu",
            BinaryOp::Div => "div_true_cpu",
            BinaryOp::DivTrunc => "div_trunc_cpu",
            BinaryOp::DivFloor => "div_floor_cpu",
            BinaryOp::Remainder => "remainder_cpu",
            BinaryOp::Fmod => "fmod_cpu",
            BinaryOp::Pow => "pow_cpu",
            BinaryOp::Maximum => "maximum_cpu",
            BinaryOp::Minimum => "minimum_cpu",
            BinaryOp::Fmax => "fmax_cpu",
            BinaryOp::Fmin => "fmin_cpu",
            BinaryOp::Atan2 => "atan2_cpu",
            BinaryOp::Hypot => "hypot_cpu",
            BinaryOp::Copysign => "copysign_cpu",
            BinaryOp::BitAnd => "bitwise_and_cpu",
            BinaryOp::BitOr => "bitwise_or_cpu",
            BinaryOp::BitXor => "bitwise_xor_cpu",
            BinaryOp::Shl => "lshift_cpu",
            BinaryOp::Shr => "rshift_cpu",
            BinaryOp::LogicalAnd => "logical_and_cpu",
            BinaryOp::LogicalOr => "logical_or_cpu",
            BinaryOp::LogicalXor => "logical_xor_cpu",
            BinaryOp::Eq => "eq_cpu",
            BinaryOp::Ne => "ne_cpu",
            BinaryOp::Lt => "lt_cpu",
            BinaryOp::Le => "le_cpu",
            BinaryOp::Gt => "gt_cpu",
            BinaryOp::Ge => "ge_cpu",
        }
    }
}

/// Unary elementwise ops. Parameterised ones (softplus, round with decimals,
/// scalar clamp, nan_to_num) carry their parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum UnaryOp {
    /// `-x`.
    Neg,
    /// `|x|`.
    Abs,
    /// -1, 0 or 1 by the sign of `x` (NaN stays NaN for floats; `signum` for integers).
    Sign,
    /// `e^x`.
    Exp,
    /// `2^x`.
    Exp2,
    /// `e^x - 1`, accurate near 0.
    Expm1,
    /// Natural logarithm.
    Log,
    /// Base-2 logarithm.
    Log2,
    /// Base-10 logarithm.
    Log10,
    /// `ln(1 + x)`, accurate near 0.
    Log1p,
    /// Square root (NaN below 0).
    Sqrt,
    /// `1 / sqrt(x)`.
    Rsqrt,
    /// `x * x`.
    Square,
    /// `1 / x`.
    Reciprocal,
    /// Sine (radians).
    Sin,
    /// Cosine (radians).
    Cos,
    /// Tangent (radians).
    Tan,
    /// Arcsine, in radians.
    Asin,
    /// Arccosine, in radians.
    Acos,
    /// Arctangent, in radians.
    Atan,
    /// Hyperbolic sine.
    Sinh,
    /// Hyperbolic cosine.
    Cosh,
    /// Hyperbolic tangent.
    Tanh,
    /// Inverse hyperbolic sine.
    Asinh,
    /// Inverse hyperbolic cosine (NaN below 1).
    Acosh,
    /// Inverse hyperbolic tangent (NaN outside [-1, 1]).
    Atanh,
    /// `1 / (1 + e^-x)`.
    Sigmoid,
    /// `max(x, 0)`.
    Relu,
    /// GELU, exact form: `x * Phi(x)` with the normal CDF written through `erf`.
    Gelu,
    /// GELU's tanh approximation (`approximate='tanh'`).
    GeluTanh,
    /// `x * sigmoid(x)` (SiLU / swish).
    Silu,
    /// `ln(1 + e^(beta x)) / beta`, and `x` itself where `beta x > threshold` (where the two agree to rounding).
    Softplus {
        /// Scale inside the exponential and divisor outside it (PyTorch's default 1).
        beta: f64,
        /// Above this value of `beta * x` the op returns `x` (PyTorch's default 20).
        threshold: f64,
    },
    /// The error function.
    Erf,
    /// Round toward -inf.
    Floor,
    /// Round toward +inf.
    Ceil,
    /// Round to nearest, ties to even (`round`).
    Round,
    /// Round to the given number of decimal places, ties to even (`round(decimals=d)`; a negative `d` rounds to tens, hundreds, ...).
    RoundDecimals(i64),
    /// Round toward 0.
    Trunc,
    /// `x - trunc(x)`: the fractional part, with `x`'s sign.
    Frac,
    /// Scalar bounds (either may be absent: +-inf for floats, the type's range for ints).
    Clamp {
        /// Lower bound, or none.
        min: Option<f64>,
        /// Upper bound, or none (applied after `min`, so `max` wins when `min > max`).
        max: Option<f64>,
    },
    /// `nan_to_num`: NaN becomes `nan`, +inf `posinf` and -inf `neginf` (absent: the dtype's largest / lowest finite value).
    NanToNum {
        /// What NaN becomes.
        nan: f64,
        /// What +inf becomes; `None`: the dtype's largest finite value.
        posinf: Option<f64>,
        /// What -inf becomes; `None`: the dtype's lowest finite value.
        neginf: Option<f64>,
    },
    /// Whether `x` is NaN (bool output).
    IsNan,
    /// Whether `x` is +-inf (bool output).
    IsInf,
    /// Whether `x` is neither NaN nor infinite (bool output).
    IsFinite,
    /// Whether `x` is +inf (bool output).
    IsPosInf,
    /// Whether `x` is -inf (bool output).
    IsNegInf,
    /// Whether the sign bit is set (bool output; true for -0.0).
    Signbit,
    /// Whether `x` is zero (bool output).
    LogicalNot,
    /// Bitwise not (`~`; logical not on bools).
    BitNot,
}

impl UnaryOp {
    /// Ops whose output is bool whatever the input.
    pub fn is_bool_output(self) -> bool {
        matches!(self, UnaryOp::IsNan | UnaryOp::IsInf | UnaryOp::IsFinite | UnaryOp::IsPosInf | UnaryOp::IsNegInf | UnaryOp::Signbit | UnaryOp::LogicalNot)
    }
}

/// Reductions over a set of dims (`backend::reduce`). Each output element folds the input
/// elements that share its position along the kept dims.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReduceOp {
    /// Sum in the input's dtype (ints wrap; the ops layer picks int64 for integer inputs).
    Sum,
    /// Product in the input's dtype.
    Prod,
    /// The sum divided by the number of elements reduced, in the input's (float) dtype.
    Mean,
    /// Largest element, NaN-propagating (`amax`); with an index output, also the index of the
    /// first maximum (`max(dim)`).
    Max,
    /// Smallest element, NaN-propagating (`amin`; `min(dim)` with an index output).
    Min,
    /// Index of the first maximum (the first NaN if any), int64, without the values (`argmax`).
    ArgMax,
    /// Index of the first minimum (`argmin`).
    ArgMin,
    /// Whether any element is nonzero (bool output).
    Any,
    /// Whether every element is nonzero (bool output).
    All,
    /// `sum(|x|)`: the body of the 1-norm (float inputs).
    SumAbs,
    /// `sum(x * x)`: the body of the 2-norm and of variance (float inputs).
    SumSquare,
}

/// Scans along one dim (`backend::scan`): output element `i` folds input elements `0..=i`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScanOp {
    /// Running sum (`cumsum`).
    Sum,
    /// Running product (`cumprod`).
    Prod,
    /// Running maximum with the index where it was last reached (`cummax`).
    Max,
    /// Running minimum with its index (`cummin`).
    Min,
}

/// How a scatter combines a source element with the destination element it lands on
/// (`backend::scatter_dim`, `scatter_reduce`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScatterOp {
    /// Overwrite (duplicate destinations: one of the sources wins).
    Assign,
    /// Add (`scatter_add`, `index_add`).
    Add,
    /// Multiply (`scatter_reduce(reduce='prod')`).
    Mul,
    /// NaN-propagating maximum (`'amax'`).
    Max,
    /// NaN-propagating minimum (`'amin'`).
    Min,
}
