//! Helpers for the GPU tests: skip-or-require, uploads from host vectors and CPU tensors,
//! readbacks into CPU tensors, and comparisons.

#![allow(dead_code)]

use rgrad::gpu::{self, GpuBuffer};
use rgrad::{DType, Layout, Tensor};

static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Whether to run GPU tests here: with a usable adapter, a guard that runs the GPU tests one at
/// a time (a kernel's device-side error is reported at the next readback, whichever test makes
/// it); without one, prints why and gives None, except under RGRAD_REQUIRE_GPU (CI), where a
/// missing GPU fails the test.
pub fn gpu() -> Option<std::sync::MutexGuard<'static, ()>> {
    match gpu::availability() {
        Ok(()) => Some(SERIAL.lock().unwrap_or_else(|e| e.into_inner())),
        Err(why) => {
            if std::env::var_os("RGRAD_REQUIRE_GPU").is_some() {
                panic!("RGRAD_REQUIRE_GPU is set but no GPU is usable: {why}");
            }
            eprintln!("skipping GPU test: {why}");
            None
        }
    }
}

pub fn has_f64() -> bool {
    gpu::context::context().map(|c| c.has_f64()).unwrap_or(false)
}

/// Every dtype this adapter holds.
pub fn dtypes() -> Vec<DType> {
    DType::ALL.into_iter().filter(|&d| d != DType::F64 || has_f64()).collect()
}

/// Host element types, as little-endian bytes (bool one byte, as the CPU stores it).
pub trait Host: Copy {
    fn put(self, out: &mut Vec<u8>);
    fn get(b: &[u8]) -> Self;
    const SIZE: usize;
}
macro_rules! host {
    ($t:ty, $n:expr) => {
        impl Host for $t {
            fn put(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn get(b: &[u8]) -> Self {
                <$t>::from_le_bytes(b.try_into().unwrap())
            }
            const SIZE: usize = $n;
        }
    };
}
host!(f32, 4);
host!(f64, 8);
host!(i32, 4);
host!(i64, 8);
impl Host for bool {
    fn put(self, out: &mut Vec<u8>) {
        out.push(self as u8);
    }
    fn get(b: &[u8]) -> Self {
        b[0] != 0
    }
    const SIZE: usize = 1;
}

pub fn bytes_of<T: Host>(v: &[T]) -> Vec<u8> {
    let mut out = Vec::new();
    for &x in v {
        x.put(&mut out);
    }
    out
}
pub fn bytemuck_f32(v: &[f32]) -> &'static [u8] {
    Box::leak(bytes_of(v).into_boxed_slice())
}

pub fn up<T: Host>(v: &[T], d: DType) -> GpuBuffer {
    gpu::upload(&bytes_of(v), d).unwrap()
}
pub fn up_f32(v: &[f32]) -> GpuBuffer {
    up(v, DType::F32)
}

pub fn read_vec<T: Host>(b: &GpuBuffer, l: &Layout, d: DType) -> Vec<T> {
    let bytes = gpu::read(b, l, d).unwrap();
    bytes.chunks_exact(T::SIZE).map(T::get).collect()
}
pub fn read_f32(b: &GpuBuffer, l: &Layout) -> Vec<f32> {
    read_vec::<f32>(b, l, DType::F32)
}

/// The whole storage behind `t` (so `t.layout()` addresses it on the device as on the host).
pub fn upload_tensor(t: &Tensor) -> GpuBuffer {
    let s = t.storage();
    let ptr = s.host_ptr().expect("a CPU tensor");
    // SAFETY: a CPU storage holds `nbytes` bytes at its host address
    let bytes = unsafe { std::slice::from_raw_parts(ptr as *const u8, s.nbytes()) };
    gpu::upload(bytes, t.dtype()).unwrap()
}

/// A CPU tensor holding the device view's elements.
pub fn read_tensor(b: &GpuBuffer, l: &Layout, d: DType) -> Tensor {
    let bytes = gpu::read(b, l, d).unwrap();
    let shape = l.shape.to_vec();
    match d {
        DType::Bool => Tensor::from_slice(&bytes.iter().map(|&x| x != 0).collect::<Vec<_>>(), &shape),
        DType::I32 => Tensor::from_slice(&bytes.chunks_exact(4).map(i32::get).collect::<Vec<_>>(), &shape),
        DType::I64 => Tensor::from_slice(&bytes.chunks_exact(8).map(i64::get).collect::<Vec<_>>(), &shape),
        DType::F32 => Tensor::from_slice(&bytes.chunks_exact(4).map(f32::get).collect::<Vec<_>>(), &shape),
        DType::F64 => Tensor::from_slice(&bytes.chunks_exact(8).map(f64::get).collect::<Vec<_>>(), &shape),
    }
    .unwrap()
}

/// Values as f64 (bool 0/1) for comparisons.
pub fn values(t: &Tensor) -> Vec<f64> {
    t.to_dtype(DType::F64).unwrap().contiguous().unwrap().to_vec::<f64>().unwrap()
}

/// Same dtype, shape and values, bit for bit (NaN equals NaN; -0.0 differs from 0.0).
pub fn assert_same(got: &Tensor, want: &Tensor) {
    assert_eq!(got.dtype(), want.dtype());
    assert_eq!(got.shape(), want.shape());
    let same = match got.dtype() {
        DType::F32 => got.contiguous().unwrap().to_vec::<f32>().unwrap().iter().map(|v| v.to_bits()).eq(want.contiguous().unwrap().to_vec::<f32>().unwrap().iter().map(|v| v.to_bits())),
        DType::F64 => got.contiguous().unwrap().to_vec::<f64>().unwrap().iter().map(|v| v.to_bits()).eq(want.contiguous().unwrap().to_vec::<f64>().unwrap().iter().map(|v| v.to_bits())),
        _ => values(got) == values(want),
    };
    assert!(same, "got {:?}\nwant {:?}", values(got), values(want));
}

pub fn assert_bits_eq_f32(got: &[f32], want: &[f32]) {
    assert!(got.iter().map(|v| v.to_bits()).eq(want.iter().map(|v| v.to_bits())), "{got:?} vs {want:?}");
}

/// |got - want| <= atol + rtol * |want| elementwise, NaN where want is NaN, equal infinities.
pub fn assert_close(got: &[f64], want: &[f64], rtol: f64, atol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let ok = if w.is_nan() { g.is_nan() } else if w.is_infinite() { g == w } else { (g - w).abs() <= atol + rtol * w.abs() };
        assert!(ok, "{what}: element {i}: got {g:e}, want {w:e}");
    }
}

/// A deterministic pseudo-random stream (xorshift64*), so tests need no RNG crate.
pub struct Rng(u64);
impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E3779B97F4A7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545F4914F6CDD1D)
    }
    /// Uniform in [lo, hi).
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * ((self.next() >> 11) as f64 / (1u64 << 53) as f64)
    }
    pub fn vec(&mut self, n: usize, lo: f64, hi: f64) -> Vec<f64> {
        (0..n).map(|_| self.uniform(lo, hi)).collect()
    }
}
