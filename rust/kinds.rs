//! The operations every backend implements, named by enums that `ops`, `backend`, `cpu` and `gpu`
//! all use (so no kernel layer imports `ops`). The `ops` layer picks
//! one of these plus dtypes; `cpu::kernels` (and later the GPU shaders) run it.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    /// True division (floats).
    Div,
    /// `div(rounding_mode='trunc')`.
    DivTrunc,
    /// `div(rounding_mode='floor')`, `floor_divide`, `//`.
    DivFloor,
    /// Python's `%`: the sign of the divisor.
    Remainder,
    /// C's `fmod`: the sign of the dividend.
    Fmod,
    Pow,
    Maximum,
    Minimum,
    /// max/min ignoring NaN (NaN only when both are NaN).
    Fmax,
    Fmin,
    Atan2,
    Hypot,
    Copysign,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
    LogicalAnd,
    LogicalOr,
    LogicalXor,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
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
    Neg,
    Abs,
    Sign,
    Exp,
    Exp2,
    Expm1,
    Log,
    Log2,
    Log10,
    Log1p,
    Sqrt,
    Rsqrt,
    Square,
    Reciprocal,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Sinh,
    Cosh,
    Tanh,
    Asinh,
    Acosh,
    Atanh,
    Sigmoid,
    Relu,
    Gelu,
    GeluTanh,
    Silu,
    Softplus { beta: f64, threshold: f64 },
    Erf,
    Floor,
    Ceil,
    Round,
    RoundDecimals(i64),
    Trunc,
    Frac,
    /// Scalar bounds (either may be absent: +-inf for floats, the type's range for ints).
    Clamp { min: Option<f64>, max: Option<f64> },
    NanToNum { nan: f64, posinf: Option<f64>, neginf: Option<f64> },
    IsNan,
    IsInf,
    IsFinite,
    IsPosInf,
    IsNegInf,
    Signbit,
    LogicalNot,
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
