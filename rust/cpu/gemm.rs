//! Matrix-multiply kernels: batched, strided, broadcast `C = alpha * A @ B + beta * C`.
//!
//! float32 / float64 go to the `gemm` crate (runtime-dispatched AVX2/FMA/AVX-512
//! micro-kernels, packs strided operands itself, so transposed and sliced inputs
//! are never copied here). Integers use a plain row-times-matrix loop with
//! wrapping arithmetic (PyTorch's integer matmul wraps too).
//!
//! Threading: work items are whole products (a big batch) or row/column blocks of
//! each product (a few big ones), run on the rayon pool with each gemm call
//! single-threaded: one level of parallelism, no oversubscription, and dynamic
//! balancing when a core is busy with other work.

use crate::dtype::{DType, Scalar};
use crate::dtype::scalar_as;
use rayon::prelude::*;
use crate::cpu::par;

/// One operand of a batched product: base pointer (at its offset), strides in
/// *elements*: per batch dim, then rows, then columns. Zero strides broadcast.
#[derive(Clone)]
pub struct MatOperand {
    /// Address of element `[0, .., 0]` of this operand (its storage offset already applied).
    pub ptr: *mut u8,
    /// Stride of each batch dim, in elements; 0 repeats one matrix across that batch dim.
    pub batch_strides: Vec<isize>,
    /// Row stride, in elements.
    pub rs: isize,
    /// Column stride, in elements.
    pub cs: isize,
}

// SAFETY: a `MatOperand` describes memory (an address and strides); sending it moves no data.
unsafe impl Send for MatOperand {}
// SAFETY: the kernels that share a `Gemm` across threads write disjoint parts of `out` (whole
// batch elements, or blocks of rows of one) and only read `a` and `b`.
unsafe impl Sync for MatOperand {}

/// A batched product: `out[b] = alpha * a[b] @ b[b] + beta * out[b]` over the batch shape.
pub struct Gemm<'a> {
    /// Rows of `out` and `a`.
    pub m: usize,
    /// Columns of `out` and `b`.
    pub n: usize,
    /// The contracted length: columns of `a`, rows of `b` (0 makes the product all zeros).
    pub k: usize,
    /// The batch shape every operand is walked over (broadcast already resolved into strides).
    pub batch: &'a [usize],
    /// The `m` x `n` result, written (or scaled and added to, see `beta`).
    pub out: MatOperand,
    /// The `m` x `k` left factor.
    pub a: MatOperand,
    /// The `k` x `n` right factor.
    pub b: MatOperand,
    /// Scale of the product.
    pub alpha: Scalar,
    /// Scale of the existing `out` contents; `None` = overwrite (out is not read,
    /// so NaNs in it don't propagate, as PyTorch's beta=0).
    pub beta: Option<Scalar>,
}

/// Products below this many multiply-adds run single-threaded.
const PAR_WORK_MIN: usize = 48 * 48 * 48;
/// Products this small skip the gemm crate's packing machinery.
const TINY_WORK: usize = 8 * 8 * 8;

#[derive(Clone, Copy)]
struct Ptr(*mut u8);
// SAFETY: an address; sending it moves no data.
unsafe impl Send for Ptr {}
// SAFETY: `run_plain` shares these with its tasks, which write disjoint batch elements (or
// row blocks) of the output and only read the inputs.
unsafe impl Sync for Ptr {}

/// Element offsets of (out, a, b) for every batch index, row-major over the batch shape.
fn batch_offsets(g: &Gemm) -> Vec<[isize; 3]> {
    let nb: usize = g.batch.iter().product();
    let mut offs = Vec::with_capacity(nb);
    if nb == 0 {
        return offs;
    }
    let r = g.batch.len();
    let mut idx = vec![0usize; r];
    let mut cur = [0isize; 3];
    for _ in 0..nb {
        offs.push(cur);
        // increment the multi-index
        let mut d = r;
        while d > 0 {
            d -= 1;
            idx[d] += 1;
            cur[0] += g.out.batch_strides[d];
            cur[1] += g.a.batch_strides[d];
            cur[2] += g.b.batch_strides[d];
            if idx[d] < g.batch[d] {
                break;
            }
            cur[0] -= g.out.batch_strides[d] * g.batch[d] as isize;
            cur[1] -= g.a.batch_strides[d] * g.batch[d] as isize;
            cur[2] -= g.b.batch_strides[d] * g.batch[d] as isize;
            idx[d] = 0;
        }
    }
    offs
}

/// Scalar arithmetic the plain kernel needs (wrapping for integers).
trait Arith: Copy + Send + Sync + 'static {
    fn zero_() -> Self;
    fn madd(self, a: Self, b: Self) -> Self;
    fn mul(self, b: Self) -> Self;
    fn add(self, b: Self) -> Self;
}
macro_rules! arith_int {
    ($($t:ty),*) => {$(
        impl Arith for $t {
            #[inline(always)] fn zero_() -> Self { 0 }
            #[inline(always)] fn madd(self, a: Self, b: Self) -> Self { self.wrapping_add(a.wrapping_mul(b)) }
            #[inline(always)] fn mul(self, b: Self) -> Self { self.wrapping_mul(b) }
            #[inline(always)] fn add(self, b: Self) -> Self { self.wrapping_add(b) }
        }
    )*};
}
arith_int!(i32, i64);
macro_rules! arith_float {
    ($($t:ty),*) => {$(
        impl Arith for $t {
            #[inline(always)] fn zero_() -> Self { 0.0 }
            #[inline(always)] fn madd(self, a: Self, b: Self) -> Self { self + a * b }
            #[inline(always)] fn mul(self, b: Self) -> Self { self * b }
            #[inline(always)] fn add(self, b: Self) -> Self { self + b }
        }
    )*};
}
arith_float!(f32, f64);

/// Plain kernel for one product: each output row accumulates `a[i, p] * b[p, :]`
/// (unit-stride inner loop over `b`'s row when `b` is row-major: vectorises).
#[allow(clippy::too_many_arguments)]
unsafe fn plain_one<T: Arith>(g: &Gemm, o: *mut T, a: *const T, b: *const T, alpha: T, beta: Option<T>, acc: &mut Vec<T>) {
    let (m, n, k) = (g.m, g.n, g.k);
    acc.clear();
    acc.resize(n, T::zero_());
    for i in 0..m {
        for v in acc.iter_mut() {
            *v = T::zero_();
        }
        let arow = a.offset(i as isize * g.a.rs);
        for p in 0..k {
            let av = *arow.offset(p as isize * g.a.cs);
            let brow = b.offset(p as isize * g.b.rs);
            if g.b.cs == 1 {
                for (j, s) in acc.iter_mut().enumerate() {
                    *s = s.madd(av, *brow.add(j));
                }
            } else {
                for (j, s) in acc.iter_mut().enumerate() {
                    *s = s.madd(av, *brow.offset(j as isize * g.b.cs));
                }
            }
        }
        let orow = o.offset(i as isize * g.out.rs);
        for (j, s) in acc.iter().enumerate() {
            let q = orow.offset(j as isize * g.out.cs);
            let v = s.mul(alpha);
            *q = match beta {
                Some(bt) => v.add((*q).mul(bt)),
                None => v,
            };
        }
    }
}

/// Runs the plain kernel over the batch (and over row blocks when there is one big product).
unsafe fn run_plain<T: Arith + crate::cpu::Element>(g: &Gemm) {
    let alpha: T = scalar_as(g.alpha);
    let beta: Option<T> = g.beta.map(scalar_as);
    let offs = batch_offsets(g);
    let (po, pa, pb) = (Ptr(g.out.ptr), Ptr(g.a.ptr), Ptr(g.b.ptr));
    let work = g.m * g.n * g.k.max(1);
    let one = |off: &[isize; 3], acc: &mut Vec<T>| {
        let (po, pa, pb) = (po, pa, pb);
        plain_one::<T>(
            g,
            (po.0 as *mut T).offset(off[0]),
            (pa.0 as *const T).offset(off[1]),
            (pb.0 as *const T).offset(off[2]),
            alpha,
            beta,
            acc,
        )
    };
    if offs.len() * work < PAR_WORK_MIN || par::threads() <= 1 {
        let mut acc = Vec::new();
        for off in &offs {
            one(off, &mut acc);
        }
    } else if offs.len() >= par::threads() {
        par::install(|| offs.par_iter().for_each_init(Vec::new, |acc, off| one(off, acc)));
    } else {
        // few big products: split each one's rows
        for off in &offs {
            let rows_per = g.m.div_ceil(par::threads() * 4).max(1);
            par::install(|| (0..g.m.div_ceil(rows_per)).into_par_iter().for_each_init(Vec::new, |acc, blk| {
                let r0 = blk * rows_per;
                let rows = rows_per.min(g.m - r0);
                let sub = Gemm {
                    m: rows,
                    n: g.n,
                    k: g.k,
                    batch: &[],
                    out: g.out.clone(),
                    a: g.a.clone(),
                    b: g.b.clone(),
                    alpha: g.alpha,
                    beta: g.beta,
                };
                let (po, pa, pb) = (po, pa, pb);
                plain_one::<T>(
                    &sub,
                    (po.0 as *mut T).offset(off[0] + r0 as isize * g.out.rs),
                    (pa.0 as *const T).offset(off[1] + r0 as isize * g.a.rs),
                    (pb.0 as *const T).offset(off[2]),
                    alpha,
                    beta,
                    acc,
                )
            }));
        }
    }
}

unsafe fn run_float<T: Arith + crate::cpu::Element>(g: &Gemm) {
    let work = g.m * g.n * g.k;
    if work <= TINY_WORK {
        return run_plain::<T>(g);
    }
    let alpha: T = scalar_as(g.alpha);
    let beta: Option<T> = g.beta.map(scalar_as);
    let offs = batch_offsets(g);
    // Work items: whole products when there are many, else column (or row) blocks of each
    // product. How a product is cut depends on the shapes only, never on the thread count,
    // and so does the kernel (see `small_product`): the gemm crate's k-blocking differs with
    // a block's shape, so a split that followed the thread count would change the last bits.
    // The threads only decide who runs which block (with one thread, all of them in turn).
    // Every item runs single-threaded inside the gemm crate: one level of parallelism.
    let split_m = split_rows(g);
    let dim = if split_m { g.m } else { g.n };
    let per = if offs.len() * work < PAR_WORK_MIN || offs.len() >= BLOCK_TASKS {
        dim
    } else {
        dim.div_ceil(BLOCK_TASKS.div_ceil(offs.len())).max(SPLIT_MIN).div_ceil(16) * 16
    };
    let nblk = dim.div_ceil(per);
    let tasks = offs.len() * nblk;
    let small = small_product(g.m, g.n, g.k);
    let offs = &offs;
    let run = |t: usize| {
        let (p, blk) = (t / nblk, t % nblk);
        let lo = blk * per;
        crate_part::<T>(g, &offs[p], lo, (lo + per).min(dim), split_m, small, alpha, beta);
    };
    if par::threads() <= 1 || tasks == 1 {
        (0..tasks).for_each(run);
    } else {
        crate::cpu::par::for_each_task(tasks, run);
    }
}

/// Blocks a few large products are cut into (about; each at least `SPLIT_MIN` wide).
const BLOCK_TASKS: usize = 16;

/// Which way to cut one product into blocks for the threads. The gemm crate works on
/// a row-major output as the transposed problem, re-packing the `b` columns of its
/// block and reading `a` in place when `a`'s rows are contiguous (it only packs that
/// side beyond ~2048 columns). Column blocks then share `a` with no packing at all,
/// while row blocks would each re-pack all of `b` (measured ~20% slower at 8 blocks
/// of 1024²). The mirror image holds for a column-major output.
fn split_rows(g: &Gemm) -> bool {
    let row_major_out = g.out.cs.unsigned_abs() <= g.out.rs.unsigned_abs();
    if row_major_out && g.a.cs == 1 {
        false
    } else if !row_major_out && g.b.rs == 1 {
        true
    } else {
        g.m >= g.n
    }
}

/// Without AVX-512, products whose dims all lie in this range go to `matrixmultiply` (measured
/// faster than the gemm crate's AVX2 kernels for ~64..128-sized products, slower at 32 and 256+).
const MM_SMALL_MIN: usize = 40;
const MM_SMALL_MAX: usize = 192;

fn cast_ptr<T: 'static, U: 'static>(p: *mut T) -> Option<*mut U> {
    (std::any::TypeId::of::<T>() == std::any::TypeId::of::<U>()).then_some(p as *mut U)
}
fn cast_val<T: 'static + Copy, U: 'static + Copy>(v: T) -> Option<U> {
    // SAFETY: runs only when `T` and `U` are the same type, so the copy reads a valid `U`
    (std::any::TypeId::of::<T>() == std::any::TypeId::of::<U>()).then(|| unsafe { std::mem::transmute_copy::<T, U>(&v) })
}

/// Smallest row/column block a product is split into across threads.
const SPLIT_MIN: usize = 64;

/// Whether a product goes to `matrixmultiply` (decided on the whole product, so that all
/// its blocks run the same kernel). Where the CPU has AVX-512 the gemm crate (x86-v4 kernels)
/// was faster at every shape measured, 16³ to 256³ and the rectangular ones of the benchmarks,
/// f32 and f64, one thread (`examples/gemm_crossover.rs`: e.g. 64³ f32 106 vs 79 GFLOPS, 128³
/// 111 vs 93), so there every product goes to it; without AVX-512 the measured rule of the
/// earlier AVX2 build stays.
fn small_product(m: usize, n: usize, k: usize) -> bool {
    let (mn, mx) = (m.min(n).min(k), m.max(n).max(k));
    !crate::cpu::isa::gemm_kernels().starts_with("AVX-512") && (MM_SMALL_MIN..=MM_SMALL_MAX).contains(&mn) && mx <= MM_SMALL_MAX
}

/// Output rows (or columns) `lo..hi` of one product, single-threaded, through `matrixmultiply`
/// (`small`) or the gemm crate.
#[allow(clippy::too_many_arguments)]
unsafe fn crate_part<T: 'static + Copy>(g: &Gemm, off: &[isize; 3], lo: usize, hi: usize, split_m: bool, small: bool, alpha: T, beta: Option<T>) {
    let (read_dst, dst_scale) = match beta {
        Some(bt) => (true, bt),
        None => (false, alpha), // ignored when not reading dst
    };
    let o = (g.out.ptr as *mut T).offset(off[0]);
    let a = (g.a.ptr as *const T).offset(off[1]);
    let b = (g.b.ptr as *const T).offset(off[2]);
    let l = lo as isize;
    let (m, n, o, a, b) = if split_m {
        (hi - lo, g.n, o.offset(l * g.out.rs), a.offset(l * g.a.rs), b)
    } else {
        (g.m, hi - lo, o.offset(l * g.out.cs), a, b.offset(l * g.b.cs))
    };
    if small {
        // matrixmultiply: C = alpha * A @ B + beta * C (C not read when beta == 0)
        let zero = beta.is_none();
        let bt = beta.unwrap_or(alpha);
        if let (Some(o), Some(a), Some(b), Some(al), Some(bt)) = (
            cast_ptr::<T, f32>(o),
            cast_ptr::<T, f32>(a as *mut T),
            cast_ptr::<T, f32>(b as *mut T),
            cast_val::<T, f32>(alpha),
            cast_val::<T, f32>(bt),
        ) {
            let bt = if zero { 0.0 } else { bt };
            return matrixmultiply::sgemm(m, g.k, n, al, a, g.a.rs, g.a.cs, b, g.b.rs, g.b.cs, bt, o, g.out.rs, g.out.cs);
        }
        if let (Some(o), Some(a), Some(b), Some(al), Some(bt)) = (
            cast_ptr::<T, f64>(o),
            cast_ptr::<T, f64>(a as *mut T),
            cast_ptr::<T, f64>(b as *mut T),
            cast_val::<T, f64>(alpha),
            cast_val::<T, f64>(bt),
        ) {
            let bt = if zero { 0.0 } else { bt };
            return matrixmultiply::dgemm(m, g.k, n, al, a, g.a.rs, g.a.cs, b, g.b.rs, g.b.cs, bt, o, g.out.rs, g.out.cs);
        }
    }
    // the gemm crate's `alpha` scales the destination, its `beta` the product
    gemm::gemm(
        m, n, g.k, o, g.out.cs, g.out.rs, read_dst, a, g.a.cs, g.a.rs, b, g.b.cs, g.b.rs, dst_scale, alpha, false,
        false, false, gemm::Parallelism::None,
    );
}

/// Fills (or scales by beta) the output when k == 0: the product is all zeros.
unsafe fn run_k0<T: Arith + crate::cpu::Element>(g: &Gemm) {
    let beta: Option<T> = g.beta.map(scalar_as);
    for off in batch_offsets(g) {
        let o = (g.out.ptr as *mut T).offset(off[0]);
        for i in 0..g.m {
            for j in 0..g.n {
                let q = o.offset(i as isize * g.out.rs + j as isize * g.out.cs);
                *q = match beta {
                    Some(bt) => (*q).mul(bt),
                    None => T::zero_(),
                };
            }
        }
    }
}

/// Runs the batched product for `dtype` (not Bool: the ops layer refuses it).
///
/// # Safety
/// All pointers/strides must describe valid memory for the given shapes; `out`
/// must not overlap `a` or `b`, and distinct batch/row/column indices of `out` must
/// be distinct elements.
pub unsafe fn batched_gemm(dtype: DType, g: &Gemm) {
    if g.m == 0 || g.n == 0 || g.batch.contains(&0) {
        return;
    }
    if g.k == 0 {
        match dtype {
            DType::F32 => run_k0::<f32>(g),
            DType::F64 => run_k0::<f64>(g),
            DType::I32 => run_k0::<i32>(g),
            DType::I64 => run_k0::<i64>(g),
            DType::Bool => {}
        }
        return;
    }
    match dtype {
        DType::F32 => run_float::<f32>(g),
        DType::F64 => run_float::<f64>(g),
        DType::I32 => run_plain::<i32>(g),
        DType::I64 => run_plain::<i64>(g),
        DType::Bool => {}
    }
}
