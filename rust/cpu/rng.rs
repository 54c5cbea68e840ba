//! The CPU random generator: xoshiro256** seeded through splitmix64.
//! One generator per device, as in PyTorch; `manual_seed` resets it, so every
//! random op is reproducible from a seed.

use parking_lot::Mutex;
use std::cell::RefCell;
use std::sync::{Arc, OnceLock};

/// A xoshiro256** pseudo-random generator (256 bits of state).
///
/// The process-wide CPU generator is reached through [`with_generator`]. Its streams differ
/// from PyTorch's (mt19937): a seed reproduces rgrad's numbers, not torch's.
pub struct Generator {
    s: [u64; 4],
}

fn splitmix(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E3779B97F4A7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
    z ^ (z >> 31)
}

impl Generator {
    /// A generator whose state is expanded from `seed` by splitmix64.
    pub fn new(seed: u64) -> Generator {
        let mut x = seed;
        Generator { s: [splitmix(&mut x), splitmix(&mut x), splitmix(&mut x), splitmix(&mut x)] }
    }
    #[inline]
    /// The next 64 uniformly random bits.
    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }
    /// Uniform in [0, 1) with 53 random bits.
    #[inline]
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    /// Uniform in [0, 1) with 24 random bits (never rounds up to 1.0).
    #[inline]
    pub fn next_f32(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 * (1.0 / (1u32 << 24) as f32)
    }
    /// Standard normal by Box–Muller.
    #[inline]
    pub fn next_normal(&mut self) -> f64 {
        let u1 = 1.0 - self.next_f64(); // (0, 1]
        let u2 = self.next_f64();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
    /// Uniform integer in [0, n) (n > 0), Lemire's multiply-shift with rejection.
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        loop {
            let x = self.next_u64();
            let m = (x as u128) * (n as u128);
            let l = m as u64;
            if l >= n.wrapping_neg() % n {
                return (m >> 64) as u64;
            }
        }
    }
}

/// The seed PyTorch gives a new generator, used here too.
pub const DEFAULT_SEED: u64 = 67280421310721;

impl Generator {
    /// The raw state words (`Generator.get_state`).
    pub fn state(&self) -> [u64; 4] {
        self.s
    }
    /// A generator continuing from saved state words; `None` for the all-zero state, which
    /// xoshiro never leaves.
    pub fn from_state(s: [u64; 4]) -> Option<Generator> {
        (s != [0; 4]).then_some(Generator { s })
    }
}

/// A generator and the seed it was last seeded with (`Generator.initial_seed()`).
pub struct Seeded {
    /// The generator itself (its current state).
    pub gen: Generator,
    /// The seed it was last seeded with; drawing does not change it.
    pub seed: u64,
}

impl Seeded {
    /// A generator freshly seeded with `seed`.
    pub fn new(seed: u64) -> Seeded {
        Seeded { gen: Generator::new(seed), seed }
    }
}

/// A generator shared by its Python handle (`rgrad.Generator`) and the ops drawing from it.
pub type SharedGenerator = Arc<Mutex<Seeded>>;

static CPU_GENERATOR: OnceLock<SharedGenerator> = OnceLock::new();

thread_local! {
    /// The generator a `generator=` argument names for the op running on this thread.
    static OVERRIDE: RefCell<Option<SharedGenerator>> = const { RefCell::new(None) };
}

/// The process-wide CPU generator (`torch.default_generator`), which `manual_seed` reseeds.
pub fn default_generator() -> SharedGenerator {
    CPU_GENERATOR.get_or_init(|| Arc::new(Mutex::new(Seeded::new(DEFAULT_SEED)))).clone()
}

/// Runs `f` with the generator random ops draw from: the one `drawing_from` names on this
/// thread, else the CPU default.
pub fn with_generator<R>(f: impl FnOnce(&mut Generator) -> R) -> R {
    let g = OVERRIDE.with(|o| o.borrow().clone()).unwrap_or_else(default_generator);
    let mut s = g.lock();
    f(&mut s.gen)
}

/// Runs `f` with its random draws taken from `g` (an op's `generator=` argument) instead of
/// the default generator. Ops draw on the calling thread, so a thread-local covers them.
pub fn drawing_from<R>(g: Option<&SharedGenerator>, f: impl FnOnce() -> R) -> R {
    let Some(g) = g else { return f() };
    struct Restore(Option<SharedGenerator>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let prev = self.0.take();
            OVERRIDE.with(|o| *o.borrow_mut() = prev);
        }
    }
    let _restore = Restore(OVERRIDE.with(|o| o.borrow_mut().replace(g.clone())));
    f()
}

/// Reseeds the CPU generator (`torch.manual_seed`), so later random ops are reproducible.
pub fn manual_seed(seed: u64) {
    *default_generator().lock() = Seeded::new(seed);
}

/// The seed the CPU generator was last seeded with, or the default seed (`torch.initial_seed()`).
pub fn initial_seed() -> u64 {
    default_generator().lock().seed
}

/// A seed nobody chose (`Generator.seed()`): 64 bits from the OS-seeded hasher keys.
pub fn fresh_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0));
    h.finish()
}

// ---------- random fills (the CPU arm of `backend::random_fill`) ----------

/// Fills `n` contiguous elements with uniform [0, 1) draws (float32 draws 24-bit values,
/// float64 53-bit ones).
///
/// # Safety
/// `out` must hold `n` elements of `T`.
pub unsafe fn fill_uniform<T: crate::cpu::Element>(out: *mut T, n: usize) {
    with_generator(|g| {
        for i in 0..n {
            let v = if T::DTYPE == crate::dtype::DType::F32 { g.next_f32() as f64 } else { g.next_f64() };
            *out.add(i) = T::from_f64(v);
        }
    });
}

/// Fills `n` contiguous elements with standard-normal draws.
///
/// # Safety
/// `out` must hold `n` elements of `T`.
pub unsafe fn fill_normal<T: crate::cpu::Element>(out: *mut T, n: usize) {
    with_generator(|g| {
        for i in 0..n {
            *out.add(i) = T::from_f64(g.next_normal());
        }
    });
}

/// Fills `n` contiguous elements with uniform integers in `[low, low + span)`.
///
/// # Safety
/// `out` must hold `n` elements of `T`.
pub unsafe fn fill_int<T: crate::cpu::Element>(out: *mut T, n: usize, low: i64, span: u64) {
    with_generator(|g| {
        for i in 0..n {
            let v = low as i128 + g.below(span) as i128;
            *out.add(i) = T::from_i64(v as i64);
        }
    });
}
