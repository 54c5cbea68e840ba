//! Typed inner loops: cast/copy, fill, binary and unary elementwise, sums.
//!
//! Each loop is written once, generic over the element type and a closure, and
//! specialised on the run's strides: all unit strides (vectorised), one operand
//! broadcast (stride 0), or general strides.

use crate::cpu::iter::Plan;
use crate::cpu::Element;
use crate::dtype::DType;
use crate::ops::kinds::{BinaryOp, UnaryOp};
use crate::{dispatch_dtype, dispatch_float};

#[inline(always)]
unsafe fn map1<A: Copy, O: Copy>(p: [*mut u8; 2], len: usize, st: [isize; 2], f: impl Fn(A) -> O) {
    let (o, a) = (p[0] as *mut O, p[1] as *const A);
    let (so, sa) = (std::mem::size_of::<O>() as isize, std::mem::size_of::<A>() as isize);
    if st[0] == so && st[1] == sa {
        for i in 0..len {
            *o.add(i) = f(*a.add(i));
        }
    } else if st[0] == so && st[1] == 0 {
        let v = f(*a);
        for i in 0..len {
            *o.add(i) = v;
        }
    } else {
        let (mut po, mut pa) = (p[0], p[1] as *const u8);
        for _ in 0..len {
            *(po as *mut O) = f(*(pa as *const A));
            po = po.offset(st[0]);
            pa = pa.offset(st[1]);
        }
    }
}

#[inline(always)]
unsafe fn map2<A: Copy, B: Copy, O: Copy>(p: [*mut u8; 3], len: usize, st: [isize; 3], f: impl Fn(A, B) -> O) {
    let (o, a, b) = (p[0] as *mut O, p[1] as *const A, p[2] as *const B);
    let so = std::mem::size_of::<O>() as isize;
    let (sa, sb) = (std::mem::size_of::<A>() as isize, std::mem::size_of::<B>() as isize);
    if st[0] == so && st[1] == sa && st[2] == sb {
        for i in 0..len {
            *o.add(i) = f(*a.add(i), *b.add(i));
        }
    } else if st[0] == so && st[1] == sa && st[2] == 0 {
        let bv = *b;
        for i in 0..len {
            *o.add(i) = f(*a.add(i), bv);
        }
    } else if st[0] == so && st[1] == 0 && st[2] == sb {
        let av = *a;
        for i in 0..len {
            *o.add(i) = f(av, *b.add(i));
        }
    } else {
        let (mut po, mut pa, mut pb) = (p[0], p[1] as *const u8, p[2] as *const u8);
        for _ in 0..len {
            *(po as *mut O) = f(*(pa as *const A), *(pb as *const B));
            po = po.offset(st[0]);
            pa = pa.offset(st[1]);
            pb = pb.offset(st[2]);
        }
    }
}

/// Runs a unary map over a plan (op 0 = output, op 1 = input) in parallel.
pub fn run_map1<A: Copy, O: Copy>(plan: &Plan<2>, f: impl Fn(A) -> O + Sync + Copy) {
    let st = plan.inner_strides();
    plan.run(|p, len| unsafe { map1::<A, O>(p, len, st, f) });
}

/// Runs a binary map over a plan (op 0 = output, ops 1, 2 = inputs) in parallel.
pub fn run_map2<A: Copy, B: Copy, O: Copy>(plan: &Plan<3>, f: impl Fn(A, B) -> O + Sync + Copy) {
    let st = plan.inner_strides();
    plan.run(|p, len| unsafe { map2::<A, B, O>(p, len, st, f) });
}

/// Converts one element type to another with PyTorch's (C's) conversion rules.
pub trait CastTo<O> {
    fn cast(self) -> O;
}
macro_rules! cast_num {
    ($($s:ty),*) => { $( 
        impl CastTo<i32> for $s { #[inline(always)] fn cast(self) -> i32 { self as i32 } }
        impl CastTo<i64> for $s { #[inline(always)] fn cast(self) -> i64 { self as i64 } }
        impl CastTo<f32> for $s { #[inline(always)] fn cast(self) -> f32 { self as f32 } }
        impl CastTo<f64> for $s { #[inline(always)] fn cast(self) -> f64 { self as f64 } }
        impl CastTo<bool> for $s { #[inline(always)] fn cast(self) -> bool { self != (0 as $s) } }
    )* };
}
cast_num!(i32, i64, f32, f64);
impl CastTo<i32> for bool { #[inline(always)] fn cast(self) -> i32 { self as i32 } }
impl CastTo<i64> for bool { #[inline(always)] fn cast(self) -> i64 { self as i64 } }
impl CastTo<f32> for bool { #[inline(always)] fn cast(self) -> f32 { self as u8 as f32 } }
impl CastTo<f64> for bool { #[inline(always)] fn cast(self) -> f64 { self as u8 as f64 } }
impl CastTo<bool> for bool { #[inline(always)] fn cast(self) -> bool { self } }

/// Copies (and converts) `src` into `dst` elementwise; both described by the plan.
pub fn copy_cast(plan: &Plan<2>, dst: DType, src: DType) {
    dispatch_dtype!(src, S => dispatch_dtype!(dst, D => run_map1::<S, D>(plan, |x: S| <S as CastTo<D>>::cast(x))))
}

pub fn fill<T: Element>(plan: &Plan<1>, v: T) {
    let st = plan.inner_strides()[0];
    plan.run(|p, len| unsafe {
        let o = p[0] as *mut T;
        if st == std::mem::size_of::<T>() as isize {
            for i in 0..len {
                *o.add(i) = v;
            }
        } else {
            let mut q = p[0];
            for _ in 0..len {
                *(q as *mut T) = v;
                q = q.offset(st);
            }
        }
    });
}

// ---------- binary ----------

/// Integer power by squaring with wrap-around, as PyTorch does for int tensors.
#[inline(always)]
pub fn ipow(mut base: i64, mut exp: i64) -> i64 {
    if exp < 0 {
        return match base {
            1 => 1,
            -1 => if exp % 2 == 0 { 1 } else { -1 },
            _ => 0,
        };
    }
    let mut acc: i64 = 1;
    while exp > 0 {
        if exp & 1 == 1 {
            acc = acc.wrapping_mul(base);
        }
        base = base.wrapping_mul(base);
        exp >>= 1;
    }
    acc
}

/// NaN-propagating max/min as `torch.maximum`.
#[inline(always)]
fn nan_max<T: Element>(a: T, b: T) -> T {
    if a != a { a } else if b != b { b } else if a > b { a } else { b }
}
#[inline(always)]
fn nan_min<T: Element>(a: T, b: T) -> T {
    if a != a { a } else if b != b { b } else if a < b { a } else { b }
}

/// Arithmetic in type T (both inputs already of the compute dtype; output of `T`).
pub fn binary_arith(op: BinaryOp, dtype: DType, plan: &Plan<3>) {
    macro_rules! arith {
        ($T:ty, $add:expr, $sub:expr, $mul:expr) => {{
            type T = $T;
            match op {
                BinaryOp::Add => run_map2::<T, T, T>(plan, $add),
                BinaryOp::Sub => run_map2::<T, T, T>(plan, $sub),
                BinaryOp::Mul => run_map2::<T, T, T>(plan, $mul),
                BinaryOp::Maximum => run_map2::<T, T, T>(plan, nan_max::<T>),
                BinaryOp::Minimum => run_map2::<T, T, T>(plan, nan_min::<T>),
                _ => unreachable!("binary_arith: {op:?} on {dtype:?} is routed elsewhere"),
            }
        }};
    }
    match dtype {
        DType::F32 => match op {
            BinaryOp::Div => run_map2::<f32, f32, f32>(plan, |a, b| a / b),
            BinaryOp::Pow => run_map2::<f32, f32, f32>(plan, pow_f32),
            _ => arith!(f32, |a, b| a + b, |a, b| a - b, |a, b| a * b),
        },
        DType::F64 => match op {
            BinaryOp::Div => run_map2::<f64, f64, f64>(plan, |a, b| a / b),
            BinaryOp::Pow => run_map2::<f64, f64, f64>(plan, pow_f64),
            _ => arith!(f64, |a, b| a + b, |a, b| a - b, |a, b| a * b),
        },
        DType::I32 => match op {
            BinaryOp::Pow => run_map2::<i32, i32, i32>(plan, |a, b| ipow(a as i64, b as i64) as i32),
            _ => arith!(i32, |a: i32, b: i32| a.wrapping_add(b), |a: i32, b: i32| a.wrapping_sub(b), |a: i32, b: i32| a.wrapping_mul(b)),
        },
        DType::I64 => match op {
            BinaryOp::Pow => run_map2::<i64, i64, i64>(plan, ipow),
            _ => arith!(i64, |a: i64, b: i64| a.wrapping_add(b), |a: i64, b: i64| a.wrapping_sub(b), |a: i64, b: i64| a.wrapping_mul(b)),
        },
        DType::Bool => match op {
            BinaryOp::Add | BinaryOp::Maximum => run_map2::<bool, bool, bool>(plan, |a, b| a | b),
            BinaryOp::Mul | BinaryOp::Minimum => run_map2::<bool, bool, bool>(plan, |a, b| a & b),
            _ => unreachable!("binary_arith: {op:?} on bool is rejected by the op layer"),
        },
    }
}

#[inline(always)]
fn pow_f32(a: f32, b: f32) -> f32 {
    if b == 2.0 { a * a } else { a.powf(b) }
}
#[inline(always)]
fn pow_f64(a: f64, b: f64) -> f64 {
    if b == 2.0 { a * a } else { a.powf(b) }
}

/// Comparisons: inputs of `dtype`, output bool.
pub fn binary_compare(op: BinaryOp, dtype: DType, plan: &Plan<3>) {
    dispatch_dtype!(dtype, T => match op {
        BinaryOp::Eq => run_map2::<T, T, bool>(plan, |a, b| a == b),
        BinaryOp::Ne => run_map2::<T, T, bool>(plan, |a, b| a != b),
        BinaryOp::Lt => run_map2::<T, T, bool>(plan, |a, b| a < b),
        BinaryOp::Le => run_map2::<T, T, bool>(plan, |a, b| a <= b),
        BinaryOp::Gt => run_map2::<T, T, bool>(plan, |a, b| a > b),
        BinaryOp::Ge => run_map2::<T, T, bool>(plan, |a, b| a >= b),
        _ => unreachable!(),
    })
}

// ---------- unary ----------

pub fn unary(op: UnaryOp, dtype: DType, plan: &Plan<2>) {
    match op {
        UnaryOp::Neg => match dtype {
            DType::I32 => run_map1::<i32, i32>(plan, |a| a.wrapping_neg()),
            DType::I64 => run_map1::<i64, i64>(plan, |a| a.wrapping_neg()),
            DType::F32 => run_map1::<f32, f32>(plan, |a| -a),
            DType::F64 => run_map1::<f64, f64>(plan, |a| -a),
            DType::Bool => unreachable!(),
        },
        UnaryOp::Abs => match dtype {
            DType::I32 => run_map1::<i32, i32>(plan, |a| a.wrapping_abs()),
            DType::I64 => run_map1::<i64, i64>(plan, |a| a.wrapping_abs()),
            DType::F32 => run_map1::<f32, f32>(plan, |a| a.abs()),
            DType::F64 => run_map1::<f64, f64>(plan, |a| a.abs()),
            DType::Bool => run_map1::<bool, bool>(plan, |a| a),
        },
        UnaryOp::Sign => match dtype {
            DType::I32 => run_map1::<i32, i32>(plan, |a| a.signum()),
            DType::I64 => run_map1::<i64, i64>(plan, |a| a.signum()),
            DType::F32 => run_map1::<f32, f32>(plan, |a| if a > 0.0 { 1.0 } else if a < 0.0 { -1.0 } else { a * 0.0 }),
            DType::F64 => run_map1::<f64, f64>(plan, |a| if a > 0.0 { 1.0 } else if a < 0.0 { -1.0 } else { a * 0.0 }),
            DType::Bool => run_map1::<bool, bool>(plan, |a| a),
        },
        UnaryOp::Exp => dispatch_float!(dtype, T => run_map1::<T, T>(plan, |a: T| a.exp()), _ => unreachable!()),
        UnaryOp::Log => dispatch_float!(dtype, T => run_map1::<T, T>(plan, |a: T| a.ln()), _ => unreachable!()),
        UnaryOp::Sqrt => dispatch_float!(dtype, T => run_map1::<T, T>(plan, |a: T| a.sqrt()), _ => unreachable!()),
    }
}

