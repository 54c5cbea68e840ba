//! Which matrix-product crate is faster for small products on this CPU: the `gemm` crate (with
//! its AVX-512 kernels) or `matrixmultiply`. `rust/cpu/gemm.rs` sends products whose dims all lie
//! in `MM_SMALL_MIN..=MM_SMALL_MAX` to matrixmultiply; this is how those bounds were chosen.
//!
//!     cargo run --release --example gemm_crossover
//!
//! Single-threaded (rgrad runs each block of a product on one thread), row-major f32 and f64,
//! best of several rounds, the two crates interleaved.

use std::time::Instant;

fn best(mut f: impl FnMut(), reps: usize) -> f64 {
    f();
    let mut b = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        for _ in 0..reps {
            f();
        }
        b = b.min(t.elapsed().as_secs_f64() / reps as f64);
    }
    b
}

macro_rules! compare {
    ($t:ty, $mm:path, $m:expr, $n:expr, $k:expr) => {{
        let (m, n, k) = ($m, $n, $k);
        let a: Vec<$t> = (0..m * k).map(|i| (i % 7) as $t * 0.25).collect();
        let b: Vec<$t> = (0..k * n).map(|i| (i % 5) as $t * 0.5).collect();
        let mut c: Vec<$t> = vec![0.0; m * n];
        let reps = (2e8 / (2.0 * (m * n * k) as f64)).clamp(3.0, 20000.0) as usize;
        let flops = 2.0 * (m * n * k) as f64;
        let (mut g, mut x) = (f64::MAX, f64::MAX);
        for _ in 0..3 {
            g = g.min(best(
                // SAFETY: `c` (m x n), `a` (m x k) and `b` (k x n) are row-major vectors of exactly
                // those sizes (column stride 1, row strides n, k, n), `c` distinct from the inputs,
                // and `read_dst` is false
                || unsafe {
                    gemm::gemm(
                        m, n, k, c.as_mut_ptr(), 1, n as isize, false, a.as_ptr(), 1, k as isize, b.as_ptr(), 1, n as isize, 0.0, 1.0,
                        false, false, false, gemm::Parallelism::None,
                    )
                },
                reps,
            ));
            x = x.min(best(
                // SAFETY: the same row-major m x k, k x n and m x n vectors, as (row stride, column
                // stride) pairs
                || unsafe { $mm(m, k, n, 1.0, a.as_ptr(), k as isize, 1, b.as_ptr(), n as isize, 1, 0.0, c.as_mut_ptr(), n as isize, 1) },
                reps,
            ));
        }
        println!(
            "{:>4} x {:>4} x {:>4} {:>4}  gemm {:7.1} GF  matrixmultiply {:7.1} GF  -> {}",
            m,
            n,
            k,
            stringify!($t),
            flops / g / 1e9,
            flops / x / 1e9,
            if g < x { "gemm" } else { "matrixmultiply" }
        );
    }};
}

fn main() {
    let shapes = [
        (16, 16, 16), (32, 32, 32), (48, 48, 48), (64, 64, 64), (96, 96, 96), (128, 128, 128), (160, 160, 160),
        (192, 192, 192), (256, 256, 256), (64, 256, 784), (64, 64, 784), (128, 64, 128), (100, 100, 256),
    ];
    for &(m, n, k) in &shapes {
        compare!(f32, matrixmultiply::sgemm, m, n, k);
    }
    for &(m, n, k) in &shapes {
        compare!(f64, matrixmultiply::dgemm, m, n, k);
    }
}
