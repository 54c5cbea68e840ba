//! The CPU random generator: xoshiro256** seeded through splitmix64.
//! One generator per device, as in PyTorch; `manual_seed` resets it, so every
//! random op is reproducible from a seed.

use parking_lot::Mutex;

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

static DEFAULT_SEED: u64 = 67280421310721;
static CPU_GENERATOR: Mutex<Option<(Generator, u64)>> = Mutex::new(None);

/// Runs `f` with the CPU generator.
pub fn with_generator<R>(f: impl FnOnce(&mut Generator) -> R) -> R {
    let mut g = CPU_GENERATOR.lock();
    let (gen, _) = g.get_or_insert_with(|| (Generator::new(DEFAULT_SEED), DEFAULT_SEED));
    f(gen)
}

/// Reseeds the CPU generator (`torch.manual_seed`), so later random ops are reproducible.
pub fn manual_seed(seed: u64) {
    *CPU_GENERATOR.lock() = Some((Generator::new(seed), seed));
}

/// The seed the CPU generator was last seeded with, or the default seed (`torch.initial_seed()`).
pub fn initial_seed() -> u64 {
    CPU_GENERATOR.lock().as_ref().map(|(_, s)| *s).unwrap_or(DEFAULT_SEED)
}
