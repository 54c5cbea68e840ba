//! Typed inner loops: cast/copy, fill, binary, ternary and unary elementwise.
//!
//! Each loop is written once, generic over the element type and a closure, and
//! specialised on the run's strides: all unit strides (vectorised), one operand
//! broadcast (stride 0), or general strides. The `_v` runners additionally
//! compile the loop for AVX2 and AVX-512 and pick the version of the active
//! instruction-set level (`isa.rs`) at run time (the build itself targets
//! baseline x86-64). Two-dim plans where an input runs against
//! the output's order (`m.T + m`) are walked in cache-sized tiles.

use crate::cpu::isa::{self, Isa};
use crate::cpu::iter::Plan;
use crate::cpu::vmath;
use crate::cpu::Element;
use crate::dtype::DType;
use crate::kinds::{BinaryOp, UnaryOp};
use crate::{dispatch_dtype, dispatch_float};
use std::sync::atomic::{AtomicBool, Ordering};

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

#[inline(always)]
unsafe fn map3<A: Copy, B: Copy, C: Copy, O: Copy>(p: [*mut u8; 4], len: usize, st: [isize; 4], f: impl Fn(A, B, C) -> O) {
    let (o, a, b, c) = (p[0] as *mut O, p[1] as *const A, p[2] as *const B, p[3] as *const C);
    let sz = [
        std::mem::size_of::<O>() as isize,
        std::mem::size_of::<A>() as isize,
        std::mem::size_of::<B>() as isize,
        std::mem::size_of::<C>() as isize,
    ];
    if st == sz {
        for i in 0..len {
            *o.add(i) = f(*a.add(i), *b.add(i), *c.add(i));
        }
    } else if st[0] == sz[0] && st[1] == sz[1] && st[2] == 0 && st[3] == 0 {
        let (bv, cv) = (*b, *c);
        for i in 0..len {
            *o.add(i) = f(*a.add(i), bv, cv);
        }
    } else {
        let (mut po, mut pa, mut pb, mut pc) = (p[0], p[1] as *const u8, p[2] as *const u8, p[3] as *const u8);
        for _ in 0..len {
            *(po as *mut O) = f(*(pa as *const A), *(pb as *const B), *(pc as *const C));
            po = po.offset(st[0]);
            pa = pa.offset(st[1]);
            pb = pb.offset(st[2]);
            pc = pc.offset(st[3]);
        }
    }
}

// ---------- multiversioning: the same loops compiled for each instruction-set level ----------

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn map1_avx2<A: Copy, O: Copy>(p: [*mut u8; 2], len: usize, st: [isize; 2], f: impl Fn(A) -> O) {
    map1(p, len, st, f)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")]
unsafe fn map1_avx512<A: Copy, O: Copy>(p: [*mut u8; 2], len: usize, st: [isize; 2], f: impl Fn(A) -> O) {
    map1(p, len, st, f)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn map2_avx2<A: Copy, B: Copy, O: Copy>(p: [*mut u8; 3], len: usize, st: [isize; 3], f: impl Fn(A, B) -> O) {
    map2(p, len, st, f)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")]
unsafe fn map2_avx512<A: Copy, B: Copy, O: Copy>(p: [*mut u8; 3], len: usize, st: [isize; 3], f: impl Fn(A, B) -> O) {
    map2(p, len, st, f)
}

// The runners below share one safety argument, stated once here and referred to at each
// `unsafe` block as "the runners' argument": a `Plan` is built by the backend from the views
// of live tensors (`backend::operands`), operand 0 the fresh or in-place output, and the
// caller names the element types the dtype dispatch picked from those views' dtypes, so
// each operand's elements are `O` / `A` / `B` / `C`. `Plan::run` and `run_tiled` hand the
// kernel runs of `len` elements per operand at the inner strides, all inside the views, and
// give every output element to exactly one task, and split the work across tasks only when
// the output's elements have distinct addresses (`Plan::may_overlap`), so no two tasks write
// one address. Inputs are only read; an input sharing the output's storage has the output's
// layout (`ops/binary.rs` copies it otherwise), so it is read at the element being written,
// before the write.

/// Runs a unary map over a plan (op 0 = output, op 1 = input) in parallel.
pub fn run_map1<A: Copy, O: Copy>(plan: &Plan<2>, f: impl Fn(A) -> O + Sync + Copy) {
    // SAFETY: the runners' argument (above): runs of the plan's `O` output and `A` input
    let kernel = |p, len, st| unsafe { map1::<A, O>(p, len, st, f) };
    run_kernel(plan, kernel)
}

/// `run_map1` with the loop compiled for the active instruction-set level (math-heavy and
/// hot maps). The closures are plain IEEE arithmetic (no fused multiply-add), so every level
/// computes the same bits; only the vector width differs.
pub fn run_map1_v<A: Copy, O: Copy>(plan: &Plan<2>, f: impl Fn(A) -> O + Sync + Copy) {
    match isa::active() {
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => {
            // SAFETY: the runners' argument (above); `active()` is Avx512 only on a CPU with
            // the AVX-512 features map1_avx512 is compiled for (it is capped by `detected()`)
            let kernel = |p, len, st| unsafe { map1_avx512::<A, O>(p, len, st, f) };
            run_kernel(plan, kernel)
        }
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => {
            // SAFETY: the runners' argument (above); `active()` is Avx2 or above only on a CPU
            // with AVX2 and FMA, the features map1_avx2 is compiled for
            let kernel = |p, len, st| unsafe { map1_avx2::<A, O>(p, len, st, f) };
            run_kernel(plan, kernel)
        }
        _ => run_map1(plan, f),
    }
}

/// Runs a binary map over a plan (op 0 = output, ops 1, 2 = inputs) in parallel.
pub fn run_map2<A: Copy, B: Copy, O: Copy>(plan: &Plan<3>, f: impl Fn(A, B) -> O + Sync + Copy) {
    // SAFETY: the runners' argument (above): runs of the plan's `O` output, `A` and `B` inputs
    let kernel = |p, len, st| unsafe { map2::<A, B, O>(p, len, st, f) };
    run_kernel(plan, kernel)
}

/// `run_map2` with the loop compiled for the active instruction-set level.
pub fn run_map2_v<A: Copy, B: Copy, O: Copy>(plan: &Plan<3>, f: impl Fn(A, B) -> O + Sync + Copy) {
    match isa::active() {
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => {
            // SAFETY: the runners' argument (above); `active()` is Avx512 only on a CPU with
            // the AVX-512 features map2_avx512 is compiled for (it is capped by `detected()`)
            let kernel = |p, len, st| unsafe { map2_avx512::<A, B, O>(p, len, st, f) };
            run_kernel(plan, kernel)
        }
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => {
            // SAFETY: the runners' argument (above); `active()` is Avx2 or above only on a CPU
            // with AVX2 and FMA, the features map2_avx2 is compiled for
            let kernel = |p, len, st| unsafe { map2_avx2::<A, B, O>(p, len, st, f) };
            run_kernel(plan, kernel)
        }
        _ => run_map2(plan, f),
    }
}

/// Runs a ternary map (op 0 = output, ops 1..3 = inputs) in parallel.
pub fn run_map3<A: Copy, B: Copy, C: Copy, O: Copy>(plan: &Plan<4>, f: impl Fn(A, B, C) -> O + Sync + Copy) {
    // SAFETY: the runners' argument (above): runs of the plan's `O` output, `A`, `B`, `C` inputs
    let kernel = |p, len, st| unsafe { map3::<A, B, C, O>(p, len, st, f) };
    run_kernel(plan, kernel)
}

/// Hands `kernel(ptrs, len, inner_strides)` every run of `plan`: tiled when an input runs
/// against the output's order, else `Plan::run`'s row-major runs.
fn run_kernel<const N: usize>(plan: &Plan<N>, kernel: impl Fn([*mut u8; N], usize, [isize; N]) + Sync) {
    if tiled(plan) {
        return run_tiled(plan, kernel);
    }
    let st = plan.inner_strides();
    plan.run(|p, len| kernel(p, len, st));
}

/// Tile height (rows of the output) and width of the transposed walk.
const TILE_R: usize = 16;
const TILE_C: usize = 128;

/// True for a large 2-d plan where some input's inner stride is wider than its
/// outer one (a transposed operand): a row-by-row walk would touch a new cache
/// line per element of that input.
/// Never for an output whose elements share memory: `Plan::run` keeps those on one thread.
fn tiled<const N: usize>(plan: &Plan<N>) -> bool {
    if plan.shape.len() != 2 || plan.numel() < (1 << 14) || plan.shape[1] < 2 * TILE_C || plan.shape[0] < 2 * TILE_R {
        return false;
    }
    if plan.may_overlap(0) {
        return false;
    }
    (1..N).any(|k| {
        let (outer, inner) = (plan.strides[k][0].unsigned_abs(), plan.strides[k][1].unsigned_abs());
        inner > outer && outer != 0 && inner > 64
    })
}

/// Walks a 2-d plan in `TILE_R x TILE_C` tiles (row blocks in parallel);
/// `f(ptrs, len, inner_strides)` gets one row of one tile.
fn run_tiled<const N: usize>(plan: &Plan<N>, f: impl Fn([*mut u8; N], usize, [isize; N]) + Sync) {
    let (rows, cols) = (plan.shape[0], plan.shape[1]);
    let outer: [isize; N] = std::array::from_fn(|k| plan.strides[k][0]);
    let inner: [isize; N] = std::array::from_fn(|k| plan.strides[k][1]);
    let base = plan.ptrs.map(crate::cpu::iter::SendPtr);
    let block = |r0: usize| {
        let r1 = (r0 + TILE_R).min(rows);
        let mut c0 = 0;
        while c0 < cols {
            let len = TILE_C.min(cols - c0);
            for r in r0..r1 {
                // element (r, c0) of each operand: inside its view (r < rows, c0 < cols)
                let p: [*mut u8; N] = std::array::from_fn(|k| base[k].get().wrapping_offset(r as isize * outer[k] + c0 as isize * inner[k]));
                f(p, len, inner);
            }
            c0 += len;
        }
    };
    let nblocks = rows.div_ceil(TILE_R);
    if crate::cpu::par::threads() <= 1 {
        (0..nblocks).for_each(|b| block(b * TILE_R));
    } else {
        // tasks of 4 row blocks (64 rows)
        crate::cpu::par::for_each_task(nblocks.div_ceil(4), |t| (t * 4..(t * 4 + 4).min(nblocks)).for_each(|b| block(b * TILE_R)));
    }
}

/// Converts one element type to another with PyTorch's (C's) conversion rules.
pub trait CastTo<O> {
    /// `self` converted: C's `as` for numbers (floats to integers truncate toward zero, saturating
    /// at the bounds; NaN becomes 0), nonzero for bool.
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

/// Writes `v` into every element the one-operand plan covers (parallel for large views; an
/// expanded view whose elements share memory is filled from one task).
pub fn fill<T: Element>(plan: &Plan<1>, v: T) {
    let st = plan.inner_strides()[0];
    // SAFETY: the plan (from the backend, `backend::fill`) describes the live view being filled, of
    // elements `T`; each run is `len` of them at stride `st`. `Plan::run` gives each task its own
    // elements and keeps an output whose elements share memory (a fill of an expanded view) on one
    // thread, so no address is stored to by two tasks.
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
                q = q.wrapping_offset(st); // one past the run after the last element
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
    if a.is_nan() { a } else if b.is_nan() { b } else if a > b { a } else { b }
}
#[inline(always)]
fn nan_min<T: Element>(a: T, b: T) -> T {
    if a.is_nan() { a } else if b.is_nan() { b } else if a < b { a } else { b }
}
/// NaN-ignoring max/min as `torch.fmax`.
#[inline(always)]
fn f_max<T: Element>(a: T, b: T) -> T {
    if a.is_nan() { b } else if b.is_nan() || a > b { a } else { b }
}
#[inline(always)]
fn f_min<T: Element>(a: T, b: T) -> T {
    if a.is_nan() { b } else if b.is_nan() || a < b { a } else { b }
}

macro_rules! float_floor_div {
    ($name:ident, $T:ty) => {
        /// Python's `//` for floats, as PyTorch's `div_floor_floating`.
        #[inline(always)]
        pub fn $name(a: $T, b: $T) -> $T {
            if b == 0.0 {
                return a / b;
            }
            let m = a % b;
            let mut div = (a - m) / b;
            if m != 0.0 && ((b < 0.0) != (m < 0.0)) {
                div -= 1.0;
            }
            if div != 0.0 {
                let mut fl = div.floor();
                if div - fl > 0.5 {
                    fl += 1.0;
                }
                fl
            } else {
                (0.0 as $T).copysign(a / b)
            }
        }
    };
}
float_floor_div!(floor_div_f32, f32);
float_floor_div!(floor_div_f64, f64);

/// Float binary arithmetic (inputs and output of the float type).
macro_rules! float_binary {
    ($T:ty, $op:expr, $plan:expr, $floordiv:path) => {{
        type T = $T;
        let plan = $plan;
        match $op {
            BinaryOp::Add => run_map2_v::<T, T, T>(plan, |a, b| a + b),
            BinaryOp::Sub => run_map2_v::<T, T, T>(plan, |a, b| a - b),
            BinaryOp::Mul => run_map2_v::<T, T, T>(plan, |a, b| a * b),
            BinaryOp::Div => run_map2_v::<T, T, T>(plan, |a, b| a / b),
            BinaryOp::DivTrunc => run_map2::<T, T, T>(plan, |a, b| (a / b).trunc()),
            BinaryOp::DivFloor => run_map2::<T, T, T>(plan, $floordiv),
            BinaryOp::Remainder => run_map2::<T, T, T>(plan, |a: T, b: T| {
                let m = a % b;
                if m != 0.0 && ((b < 0.0) != (m < 0.0)) { m + b } else { m }
            }),
            BinaryOp::Fmod => run_map2::<T, T, T>(plan, |a: T, b: T| a % b),
            BinaryOp::Pow => run_map2::<T, T, T>(plan, |a: T, b: T| if b == 2.0 { a * a } else if b == 1.0 { a } else { a.powf(b) }),
            BinaryOp::Maximum => run_map2_v::<T, T, T>(plan, nan_max::<T>),
            BinaryOp::Minimum => run_map2_v::<T, T, T>(plan, nan_min::<T>),
            BinaryOp::Fmax => run_map2::<T, T, T>(plan, f_max::<T>),
            BinaryOp::Fmin => run_map2::<T, T, T>(plan, f_min::<T>),
            BinaryOp::Atan2 => run_map2::<T, T, T>(plan, |a: T, b: T| a.atan2(b)),
            BinaryOp::Hypot => run_map2::<T, T, T>(plan, |a: T, b: T| a.hypot(b)),
            BinaryOp::Copysign => run_map2::<T, T, T>(plan, |a: T, b: T| a.copysign(b)),
            _ => unreachable!("float_binary: {:?} is routed elsewhere", $op),
        }
    }};
}

/// Integer binary arithmetic; returns false when an integer division saw a zero divisor.
macro_rules! int_binary {
    ($T:ty, $op:expr, $plan:expr, $zero:expr) => {{
        type T = $T;
        let plan = $plan;
        let zero: &AtomicBool = $zero;
        const BITS: T = (std::mem::size_of::<T>() * 8) as T;
        match $op {
            BinaryOp::Add => run_map2::<T, T, T>(plan, |a: T, b: T| a.wrapping_add(b)),
            BinaryOp::Sub => run_map2::<T, T, T>(plan, |a: T, b: T| a.wrapping_sub(b)),
            BinaryOp::Mul => run_map2::<T, T, T>(plan, |a: T, b: T| a.wrapping_mul(b)),
            BinaryOp::DivTrunc => run_map2::<T, T, T>(plan, move |a: T, b: T| {
                if b == 0 { zero.store(true, Ordering::Relaxed); 0 } else { a.wrapping_div(b) }
            }),
            BinaryOp::DivFloor => run_map2::<T, T, T>(plan, move |a: T, b: T| {
                if b == 0 {
                    zero.store(true, Ordering::Relaxed);
                    return 0;
                }
                let q = a.wrapping_div(b);
                if a.wrapping_rem(b) != 0 && ((a < 0) != (b < 0)) { q - 1 } else { q }
            }),
            BinaryOp::Remainder => run_map2::<T, T, T>(plan, move |a: T, b: T| {
                if b == 0 {
                    zero.store(true, Ordering::Relaxed);
                    return 0;
                }
                let r = a.wrapping_rem(b);
                if r != 0 && ((r < 0) != (b < 0)) { r + b } else { r }
            }),
            BinaryOp::Fmod => run_map2::<T, T, T>(plan, move |a: T, b: T| {
                if b == 0 { zero.store(true, Ordering::Relaxed); 0 } else { a.wrapping_rem(b) }
            }),
            BinaryOp::Pow => run_map2::<T, T, T>(plan, |a: T, b: T| ipow(a as i64, b as i64) as T),
            BinaryOp::Maximum | BinaryOp::Fmax => run_map2::<T, T, T>(plan, |a: T, b: T| a.max(b)),
            BinaryOp::Minimum | BinaryOp::Fmin => run_map2::<T, T, T>(plan, |a: T, b: T| a.min(b)),
            BinaryOp::BitAnd => run_map2::<T, T, T>(plan, |a: T, b: T| a & b),
            BinaryOp::BitOr => run_map2::<T, T, T>(plan, |a: T, b: T| a | b),
            BinaryOp::BitXor => run_map2::<T, T, T>(plan, |a: T, b: T| a ^ b),
            BinaryOp::Shl => run_map2::<T, T, T>(plan, |a: T, b: T| if !(0..BITS).contains(&b) { 0 } else { a.wrapping_shl(b as u32) }),
            BinaryOp::Shr => run_map2::<T, T, T>(plan, |a: T, b: T| if !(0..BITS).contains(&b) { if a < 0 { -1 } else { 0 } } else { a >> b }),
            _ => unreachable!("int_binary: {:?} is routed elsewhere", $op),
        }
    }};
}

/// Arithmetic in `dtype` (both inputs already of it; output of it).
/// Returns false when an integer division or remainder met a zero divisor.
pub fn binary_arith(op: BinaryOp, dtype: DType, plan: &Plan<3>) -> bool {
    let zero = AtomicBool::new(false);
    match dtype {
        DType::F32 => float_binary!(f32, op, plan, floor_div_f32),
        DType::F64 => float_binary!(f64, op, plan, floor_div_f64),
        DType::I32 => int_binary!(i32, op, plan, &zero),
        DType::I64 => int_binary!(i64, op, plan, &zero),
        DType::Bool => match op {
            BinaryOp::Add | BinaryOp::Maximum | BinaryOp::Fmax | BinaryOp::BitOr => run_map2::<bool, bool, bool>(plan, |a, b| a | b),
            BinaryOp::Mul | BinaryOp::Minimum | BinaryOp::Fmin | BinaryOp::BitAnd => run_map2::<bool, bool, bool>(plan, |a, b| a & b),
            BinaryOp::BitXor => run_map2::<bool, bool, bool>(plan, |a, b| a ^ b),
            _ => unreachable!("binary_arith: {op:?} on bool is rejected by the op layer"),
        },
    }
    !zero.load(Ordering::Relaxed)
}

/// Comparisons and logical ops: inputs of `dtype`, output bool.
// dispatch_dtype instantiates the generic `a < b` for bool too, where it is PyTorch's
// False < True; spelling it `!a & b` would need a bool-only arm for no gain
#[allow(clippy::bool_comparison)]
pub fn binary_compare(op: BinaryOp, dtype: DType, plan: &Plan<3>) {
    dispatch_dtype!(dtype, T => match op {
        BinaryOp::Eq => run_map2::<T, T, bool>(plan, |a, b| a == b),
        BinaryOp::Ne => run_map2::<T, T, bool>(plan, |a, b| a != b),
        BinaryOp::Lt => run_map2::<T, T, bool>(plan, |a, b| a < b),
        BinaryOp::Le => run_map2::<T, T, bool>(plan, |a, b| a <= b),
        BinaryOp::Gt => run_map2::<T, T, bool>(plan, |a, b| a > b),
        BinaryOp::Ge => run_map2::<T, T, bool>(plan, |a, b| a >= b),
        BinaryOp::LogicalAnd => run_map2::<T, T, bool>(plan, |a: T, b: T| a.is_nonzero() & b.is_nonzero()),
        BinaryOp::LogicalOr => run_map2::<T, T, bool>(plan, |a: T, b: T| a.is_nonzero() | b.is_nonzero()),
        BinaryOp::LogicalXor => run_map2::<T, T, bool>(plan, |a: T, b: T| a.is_nonzero() ^ b.is_nonzero()),
        _ => unreachable!(),
    })
}

/// `isclose` in `dtype`: `|a - b| <= atol + rtol * |b|`, infinities equal only to themselves.
pub fn isclose(dtype: DType, plan: &Plan<3>, rtol: f64, atol: f64, equal_nan: bool) {
    dispatch_dtype!(dtype, T => run_map2::<T, T, bool>(plan, move |a: T, b: T| {
        if a == b {
            return true;
        }
        let (x, y) = (a.to_f64(), b.to_f64());
        if x.is_nan() || y.is_nan() {
            return equal_nan && x.is_nan() && y.is_nan();
        }
        if !x.is_finite() || !y.is_finite() {
            return false;
        }
        (x - y).abs() <= atol + rtol * y.abs()
    }))
}

// ---------- ternary ----------

/// `where(cond, a, b)`: a and b of `dtype`.
pub fn where_kernel(dtype: DType, plan: &Plan<4>) {
    dispatch_dtype!(dtype, T => run_map3::<bool, T, T, T>(plan, |c, a, b| if c { a } else { b }))
}

/// Clamp between tensors (`lo`/`hi` of `dtype`); NaN in x or a bound propagates.
pub fn clamp_tensor(dtype: DType, plan: &Plan<4>) {
    dispatch_dtype!(dtype, T => run_map3::<T, T, T, T>(plan, |x: T, lo: T, hi: T| {
        if x.is_nan() { x } else { nan_min(nan_max(x, lo), hi) }
    }))
}

/// One-sided clamp between tensors: `max(x, bound)` (is_min) or `min(x, bound)`.
pub fn clamp_tensor_one(dtype: DType, plan: &Plan<3>, is_min: bool) {
    dispatch_dtype!(dtype, T => if is_min {
        run_map2::<T, T, T>(plan, |x: T, lo: T| if x.is_nan() { x } else { nan_max(x, lo) })
    } else {
        run_map2::<T, T, T>(plan, |x: T, hi: T| if x.is_nan() { x } else { nan_min(x, hi) })
    })
}

// ---------- unary ----------

/// Float unary math (input and output of the float type).
macro_rules! float_unary {
    ($T:ty, $op:expr, $plan:expr, $exp:path, $log:path, $sigmoid:path, $silu:path, $tanh:path, $erf:path) => {{
        type T = $T;
        let plan = $plan;
        const LN2: T = std::f64::consts::LN_2 as T;
        match $op {
            UnaryOp::Neg => run_map1::<T, T>(plan, |a| -a),
            UnaryOp::Abs => run_map1::<T, T>(plan, |a: T| a.abs()),
            // NaN and -0.0 give 0.0, as PyTorch's (0 < a) - (a < 0)
            UnaryOp::Sign => run_map1::<T, T>(plan, |a: T| if a > 0.0 { 1.0 } else if a < 0.0 { -1.0 } else { 0.0 }),
            UnaryOp::Exp => run_map1_v::<T, T>(plan, $exp),
            UnaryOp::Exp2 => run_map1_v::<T, T>(plan, |a: T| $exp(a * LN2)),
            UnaryOp::Expm1 => run_map1::<T, T>(plan, |a: T| a.exp_m1()),
            UnaryOp::Log => run_map1_v::<T, T>(plan, $log),
            UnaryOp::Log2 => run_map1::<T, T>(plan, |a: T| a.log2()),
            UnaryOp::Log10 => run_map1::<T, T>(plan, |a: T| a.log10()),
            UnaryOp::Log1p => run_map1::<T, T>(plan, |a: T| a.ln_1p()),
            UnaryOp::Sqrt => run_map1_v::<T, T>(plan, |a: T| a.sqrt()),
            UnaryOp::Rsqrt => run_map1_v::<T, T>(plan, |a: T| 1.0 / a.sqrt()),
            UnaryOp::Square => run_map1::<T, T>(plan, |a: T| a * a),
            UnaryOp::Reciprocal => run_map1_v::<T, T>(plan, |a: T| 1.0 / a),
            UnaryOp::Sin => run_map1::<T, T>(plan, |a: T| a.sin()),
            UnaryOp::Cos => run_map1::<T, T>(plan, |a: T| a.cos()),
            UnaryOp::Tan => run_map1::<T, T>(plan, |a: T| a.tan()),
            UnaryOp::Asin => run_map1::<T, T>(plan, |a: T| a.asin()),
            UnaryOp::Acos => run_map1::<T, T>(plan, |a: T| a.acos()),
            UnaryOp::Atan => run_map1::<T, T>(plan, |a: T| a.atan()),
            UnaryOp::Sinh => run_map1::<T, T>(plan, |a: T| a.sinh()),
            UnaryOp::Cosh => run_map1::<T, T>(plan, |a: T| a.cosh()),
            UnaryOp::Tanh => run_map1_v::<T, T>(plan, $tanh),
            // in f64: float32's `x + sqrt(x^2 +- 1)` overflows for x above ~1.7e38
            UnaryOp::Asinh => run_map1::<T, T>(plan, |a: T| (a as f64).asinh() as T),
            UnaryOp::Acosh => run_map1::<T, T>(plan, |a: T| (a as f64).acosh() as T),
            UnaryOp::Atanh => run_map1::<T, T>(plan, |a: T| a.atanh()),
            UnaryOp::Sigmoid => run_map1_v::<T, T>(plan, $sigmoid),
            UnaryOp::Relu => run_map1_v::<T, T>(plan, |a: T| if a > 0.0 { a } else if a != a { a } else { 0.0 }),
            UnaryOp::Gelu => run_map1_v::<T, T>(plan, |a: T| 0.5 * a * (1.0 + $erf(a * std::f64::consts::FRAC_1_SQRT_2 as T))),
            UnaryOp::GeluTanh => run_map1_v::<T, T>(plan, |a: T| {
                const K: T = 0.797_884_560_802_865_4_f64 as T; // sqrt(2 / pi), rounded once to T
                0.5 * a * (1.0 + $tanh(K * (a + 0.044_715 * a * a * a)))
            }),
            UnaryOp::Silu => run_map1_v::<T, T>(plan, $silu),
            UnaryOp::Softplus { beta, threshold } => {
                let (beta, threshold) = (beta as T, threshold as T);
                run_map1::<T, T>(plan, move |a: T| if a * beta > threshold { a } else { $exp(a * beta).ln_1p() / beta })
            }
            UnaryOp::Erf => run_map1_v::<T, T>(plan, $erf),
            UnaryOp::Floor => run_map1_v::<T, T>(plan, |a: T| a.floor()),
            UnaryOp::Ceil => run_map1_v::<T, T>(plan, |a: T| a.ceil()),
            UnaryOp::Round => run_map1_v::<T, T>(plan, |a: T| a.round_ties_even()),
            UnaryOp::RoundDecimals(d) => {
                if d >= 0 {
                    let p = (10.0 as T).powi(d as i32);
                    run_map1::<T, T>(plan, move |a: T| (a * p).round_ties_even() / p)
                } else {
                    let p = (10.0 as T).powi((-d) as i32);
                    run_map1::<T, T>(plan, move |a: T| (a / p).round_ties_even() * p)
                }
            }
            UnaryOp::Trunc => run_map1_v::<T, T>(plan, |a: T| a.trunc()),
            UnaryOp::Frac => run_map1_v::<T, T>(plan, |a: T| a - a.trunc()),
            UnaryOp::Clamp { min, max } => {
                let lo = min.map_or(T::NEG_INFINITY, |v| v as T);
                let hi = max.map_or(T::INFINITY, |v| v as T);
                let (has_lo, has_hi) = (min.is_some(), max.is_some());
                run_map1_v::<T, T>(plan, move |a: T| {
                    if a != a {
                        return a;
                    }
                    let a = if has_lo && (a < lo || lo != lo) { lo } else { a };
                    if has_hi && (a > hi || hi != hi) { hi } else { a }
                })
            }
            UnaryOp::NanToNum { nan, posinf, neginf } => {
                let nan = nan as T;
                let pinf = posinf.map_or(T::MAX, |v| v as T);
                let ninf = neginf.map_or(T::MIN, |v| v as T);
                run_map1_v::<T, T>(plan, move |a: T| {
                    if a != a { nan } else if a == T::INFINITY { pinf } else if a == T::NEG_INFINITY { ninf } else { a }
                })
            }
            _ => unreachable!("float_unary: {:?} is routed elsewhere", $op),
        }
    }};
}

/// Integer unary ops that keep the integer type.
macro_rules! int_unary {
    ($T:ty, $op:expr, $plan:expr) => {{
        type T = $T;
        let plan = $plan;
        match $op {
            UnaryOp::Neg => run_map1::<T, T>(plan, |a: T| a.wrapping_neg()),
            UnaryOp::Abs => run_map1::<T, T>(plan, |a: T| a.wrapping_abs()),
            UnaryOp::Sign => run_map1::<T, T>(plan, |a: T| a.signum()),
            UnaryOp::Square => run_map1::<T, T>(plan, |a: T| a.wrapping_mul(a)),
            UnaryOp::Relu => run_map1::<T, T>(plan, |a: T| a.max(0)),
            UnaryOp::BitNot => run_map1::<T, T>(plan, |a: T| !a),
            UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Round | UnaryOp::RoundDecimals(_) | UnaryOp::Trunc | UnaryOp::NanToNum { .. } => {
                run_map1::<T, T>(plan, |a: T| a)
            }
            UnaryOp::Clamp { min, max } => {
                let lo = min.map_or(T::MIN, |v| v as T);
                let hi = max.map_or(T::MAX, |v| v as T);
                run_map1::<T, T>(plan, move |a: T| a.max(lo).min(hi))
            }
            _ => unreachable!("int_unary: {:?} is routed elsewhere", $op),
        }
    }};
}

/// Runs a unary op whose input (already of `dtype`) and output share `dtype`,
/// or, for `is_bool_output` ops, whose output is bool.
pub fn unary(op: UnaryOp, dtype: DType, plan: &Plan<2>) {
    if op.is_bool_output() {
        return unary_predicate(op, dtype, plan);
    }
    match dtype {
        DType::F32 => float_unary!(f32, op, plan, vmath::exp_f32, vmath::log_f32, vmath::sigmoid_f32, vmath::silu_f32, vmath::tanh_f32, vmath::erf_f32),
        DType::F64 => float_unary!(f64, op, plan, vmath::exp_f64, f64::ln, vmath::sigmoid_f64, vmath::silu_f64, f64::tanh, vmath::erf_f64),
        DType::I32 => int_unary!(i32, op, plan),
        DType::I64 => int_unary!(i64, op, plan),
        DType::Bool => match op {
            UnaryOp::BitNot => run_map1::<bool, bool>(plan, |a: bool| !a),
            UnaryOp::Abs | UnaryOp::Sign | UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Round | UnaryOp::Trunc | UnaryOp::NanToNum { .. } => {
                run_map1::<bool, bool>(plan, |a: bool| a)
            }
            UnaryOp::Clamp { min, max } => {
                let lo = min.is_some_and(|v| v != 0.0);
                let hi = max.is_none_or(|v| v != 0.0);
                run_map1::<bool, bool>(plan, move |a: bool| (a | lo) & hi)
            }
            _ => unreachable!("unary: {op:?} on bool is rejected by the op layer"),
        },
    }
}

/// Bool-valued unary ops (isnan, isinf, isfinite, signbit, logical_not, ...).
// signbit's generic `a < T::zero()` is instantiated for bool too (always false there)
#[allow(clippy::bool_comparison)]
fn unary_predicate(op: UnaryOp, dtype: DType, plan: &Plan<2>) {
    dispatch_float!(dtype, T => match op {
        UnaryOp::IsNan => run_map1::<T, bool>(plan, |a: T| a.is_nan()),
        UnaryOp::IsInf => run_map1::<T, bool>(plan, |a: T| a.is_infinite()),
        UnaryOp::IsFinite => run_map1::<T, bool>(plan, |a: T| a.is_finite()),
        UnaryOp::IsPosInf => run_map1::<T, bool>(plan, |a: T| a == T::INFINITY),
        UnaryOp::IsNegInf => run_map1::<T, bool>(plan, |a: T| a == T::NEG_INFINITY),
        UnaryOp::Signbit => run_map1::<T, bool>(plan, |a: T| a.is_sign_negative()),
        UnaryOp::LogicalNot => run_map1::<T, bool>(plan, |a: T| a == 0.0),
        _ => unreachable!(),
    }, _ => dispatch_dtype!(dtype, T => match op {
        UnaryOp::IsNan | UnaryOp::IsInf | UnaryOp::IsPosInf | UnaryOp::IsNegInf => run_map1::<T, bool>(plan, |_: T| false),
        UnaryOp::IsFinite => run_map1::<T, bool>(plan, |_: T| true),
        UnaryOp::Signbit => run_map1::<T, bool>(plan, |a: T| a < T::zero()),
        UnaryOp::LogicalNot => run_map1::<T, bool>(plan, |a: T| !a.is_nonzero()),
        _ => unreachable!(),
    }))
}
