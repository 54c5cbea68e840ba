//! The one place that decides which instruction set the hand-written CPU kernels use.
//!
//! The crate is built for the baseline of its target (x86-64: SSE2; aarch64: NEON), never
//! with `target-cpu=native`, so a wheel built on one machine runs on any other. Faster code
//! is compiled beside the baseline code with `#[target_feature(enable = ...)]` and chosen at
//! run time from [`active`]:
//!
//! | level      | x86-64 features required                        | `#[target_feature]` string                          |
//! |------------|-------------------------------------------------|-----------------------------------------------------|
//! | `baseline` | none (SSE2; NEON on aarch64)                    | none                                                |
//! | `avx2`     | avx2, fma                                       | `"avx2,fma"`                                        |
//! | `avx512`   | avx512f, avx512bw, avx512dq, avx512vl (x86-64-v4) | `"avx512f,avx512bw,avx512dq,avx512vl,avx2,fma"`   |
//!
//! The level is detected once; the environment variable `RGRAD_CPU_ISA=baseline|avx2|avx512`,
//! read once at the first kernel call, caps it (a cap above what the CPU has changes nothing).
//! Tests switch levels in one process through [`set_active`] (Python: `rgrad._set_cpu_isa`),
//! which is why kernels ask [`active`] on every call (one relaxed atomic load) rather than
//! caching the answer.
//!
//! Matrix products are the exception: the `gemm` crate (0.19, built with its `x86-v4`
//! feature) and `matrixmultiply` each pick their micro-kernels themselves from CPUID
//! (`is_x86_feature_detected!`), with no API or environment variable to cap that choice, so
//! `RGRAD_CPU_ISA` does not reach them; [`gemm_kernels`] says what they run.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::OnceLock;

/// An instruction-set level, in increasing order of capability.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Isa {
    /// The target's baseline: SSE2 on x86-64, NEON on aarch64 (what LLVM vectorises to
    /// without extra features).
    Baseline = 0,
    /// AVX2 + FMA (x86-64-v3).
    Avx2 = 1,
    /// AVX-512 F/BW/DQ/VL (x86-64-v4).
    Avx512 = 2,
}

impl Isa {
    /// Every level, lowest first.
    pub const ALL: [Isa; 3] = [Isa::Baseline, Isa::Avx2, Isa::Avx512];

    /// The name `RGRAD_CPU_ISA` and `rgrad._set_cpu_isa` accept.
    pub fn name(self) -> &'static str {
        match self {
            Isa::Baseline => "baseline",
            Isa::Avx2 => "avx2",
            Isa::Avx512 => "avx512",
        }
    }

    /// A longer description for `show_config`.
    pub fn describe(self) -> &'static str {
        match self {
            #[cfg(target_arch = "aarch64")]
            Isa::Baseline => "baseline (NEON)",
            #[cfg(not(target_arch = "aarch64"))]
            Isa::Baseline => "baseline (x86-64 SSE2)",
            Isa::Avx2 => "avx2 (AVX2 + FMA)",
            Isa::Avx512 => "avx512 (AVX-512 F/BW/DQ/VL)",
        }
    }

    /// Parses a level name (case-insensitive, surrounding spaces ignored).
    pub fn parse(s: &str) -> Option<Isa> {
        match s.trim().to_ascii_lowercase().as_str() {
            "baseline" | "default" | "sse2" | "neon" => Some(Isa::Baseline),
            "avx2" => Some(Isa::Avx2),
            "avx512" | "avx-512" => Some(Isa::Avx512),
            _ => None,
        }
    }

    fn from_u8(v: u8) -> Isa {
        match v {
            2 => Isa::Avx512,
            1 => Isa::Avx2,
            _ => Isa::Baseline,
        }
    }
}

/// The highest level this CPU supports (checked once).
pub fn detected() -> Isa {
    static DETECTED: OnceLock<Isa> = OnceLock::new();
    *DETECTED.get_or_init(detect)
}

#[cfg(target_arch = "x86_64")]
fn detect() -> Isa {
    use std::arch::is_x86_feature_detected as has;
    let avx2 = has!("avx2") && has!("fma");
    if avx2 && has!("avx512f") && has!("avx512bw") && has!("avx512dq") && has!("avx512vl") {
        Isa::Avx512
    } else if avx2 {
        Isa::Avx2
    } else {
        Isa::Baseline
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn detect() -> Isa {
    Isa::Baseline
}

/// What `RGRAD_CPU_ISA` asked for when it was first read: `None` when unset, `Err(value)`
/// when it named no level (then it is ignored, and `show_config` says so).
pub fn env_cap() -> Option<Result<Isa, String>> {
    static CAP: OnceLock<Option<Result<Isa, String>>> = OnceLock::new();
    CAP.get_or_init(|| {
        let v = std::env::var("RGRAD_CPU_ISA").ok()?;
        if v.trim().is_empty() {
            return None;
        }
        Some(Isa::parse(&v).ok_or(v))
    })
    .clone()
}

const UNSET: u8 = u8::MAX;
static ACTIVE: AtomicU8 = AtomicU8::new(UNSET);

/// The level the kernels use now: the detected one, capped by `RGRAD_CPU_ISA`.
#[inline(always)]
pub fn active() -> Isa {
    let v = ACTIVE.load(Ordering::Relaxed);
    if v != UNSET {
        Isa::from_u8(v)
    } else {
        init_active()
    }
}

#[cold]
fn init_active() -> Isa {
    let mut level = detected();
    if let Some(Ok(cap)) = env_cap() {
        level = level.min(cap);
    }
    // a concurrent `set_active` wins over the start-up value
    let _ = ACTIVE.compare_exchange(UNSET, level as u8, Ordering::Relaxed, Ordering::Relaxed);
    Isa::from_u8(ACTIVE.load(Ordering::Relaxed))
}

/// Switches the level the kernels use (for tests that run every path in one process, and
/// for users who want to compare). Fails when the CPU lacks `level`.
pub fn set_active(level: Isa) -> Result<(), String> {
    if level > detected() {
        return Err(format!(
            "this CPU does not support the '{}' instruction set (it supports up to '{}')",
            level.name(),
            detected().name()
        ));
    }
    ACTIVE.store(level as u8, Ordering::Relaxed);
    Ok(())
}

/// True when the AVX-512 kernels run now.
#[inline(always)]
pub fn avx512() -> bool {
    cfg!(target_arch = "x86_64") && active() == Isa::Avx512
}

/// True when the AVX2 (or better) kernels may run now.
#[inline(always)]
pub fn avx2() -> bool {
    cfg!(target_arch = "x86_64") && active() >= Isa::Avx2
}

/// Defines `fn $name<T: Bound>(level: Isa, args...) -> R` that runs the body compiled for
/// `level`'s features (auto-vectorised at its width): the body becomes an `#[inline(always)]`
/// function, called from one `#[target_feature]` wrapper per level. For loops that LLVM
/// vectorises by itself (no intrinsics); a body may use `unsafe` blocks.
macro_rules! multiversion {
    ($(#[$m:meta])* $vis:vis fn $name:ident <$T:ident : $B:path> ($($a:ident : $t:ty),* $(,)?) -> $r:ty $body:block) => {
        $(#[$m])*
        #[allow(clippy::too_many_arguments)]
        $vis fn $name<$T: $B>(level: $crate::cpu::isa::Isa, $($a: $t),*) -> $r {
            #[inline(always)]
            #[allow(clippy::too_many_arguments)]
            fn body<$T: $B>($($a: $t),*) -> $r $body
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")]
            #[allow(clippy::too_many_arguments)]
            unsafe fn avx512<$T: $B>($($a: $t),*) -> $r {
                body::<$T>($($a),*)
            }
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2,fma")]
            #[allow(clippy::too_many_arguments)]
            unsafe fn avx2<$T: $B>($($a: $t),*) -> $r {
                body::<$T>($($a),*)
            }
            // a level above what the CPU has runs at the highest one it has
            match level.min($crate::cpu::isa::detected()) {
                // SAFETY: the level is at most `detected()`, so the CPU has AVX-512 F/BW/DQ/VL,
                // the features `avx512` is compiled for
                #[cfg(target_arch = "x86_64")]
                $crate::cpu::isa::Isa::Avx512 => unsafe { avx512::<$T>($($a),*) },
                // SAFETY: the level is at most `detected()`, so the CPU has AVX2 and FMA
                #[cfg(target_arch = "x86_64")]
                $crate::cpu::isa::Isa::Avx2 => unsafe { avx2::<$T>($($a),*) },
                _ => body::<$T>($($a),*),
            }
        }
    };
}
pub(crate) use multiversion;

/// What the matrix-product crates run on this CPU (they choose by CPUID themselves; see
/// the module note).
pub fn gemm_kernels() -> &'static str {
    #[cfg(target_arch = "x86_64")]
    {
        // (is_x86_feature_detected! caches its answer: cheap enough for every product)
        if std::arch::is_x86_feature_detected!("avx512f") {
            return "AVX-512";
        }
        if std::arch::is_x86_feature_detected!("fma") {
            return "AVX2 + FMA";
        }
        "SSE2"
    }
    #[cfg(target_arch = "aarch64")]
    {
        "NEON"
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        "scalar"
    }
}

/// The CPU's model name (`lscpu`'s "Model name"), or the architecture when unknown.
pub fn cpu_model() -> String {
    #[cfg(target_arch = "x86_64")]
    {
        if let Some(s) = x86_brand_string() {
            return s;
        }
    }
    #[cfg(target_os = "linux")]
    {
        if let Ok(info) = std::fs::read_to_string("/proc/cpuinfo") {
            for key in ["model name", "Model", "Hardware", "cpu model"] {
                if let Some(line) = info.lines().find(|l| l.split(':').next().map(str::trim) == Some(key)) {
                    if let Some(v) = line.split_once(':').map(|(_, v)| v.trim()) {
                        if !v.is_empty() {
                            return v.to_string();
                        }
                    }
                }
            }
        }
    }
    std::env::consts::ARCH.to_string()
}

/// The processor brand string from CPUID leaves 0x80000002..4 (what `lscpu` prints).
#[cfg(target_arch = "x86_64")]
#[allow(unused_unsafe)] // `__cpuid` is safe from Rust 1.87
fn x86_brand_string() -> Option<String> {
    use std::arch::x86_64::__cpuid;
    // SAFETY: CPUID is available on every x86-64 processor.
    let max = unsafe { __cpuid(0x8000_0000) }.eax;
    if max < 0x8000_0004 {
        return None;
    }
    let mut bytes = Vec::with_capacity(48);
    for leaf in 0x8000_0002u32..=0x8000_0004 {
        // SAFETY: CPUID is available on every x86-64 processor, and leaves up to `max` exist
        let r = unsafe { __cpuid(leaf) };
        for v in [r.eax, r.ebx, r.ecx, r.edx] {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
    }
    let s = String::from_utf8_lossy(&bytes).trim_matches(char::from(0)).trim().to_string();
    (!s.is_empty()).then_some(s)
}

/// The CPU features behind the levels, as `lscpu` names them, that this CPU has.
pub fn cpu_flags() -> Vec<&'static str> {
    #[allow(unused_mut)]
    let mut v = Vec::new();
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::is_x86_feature_detected as has;
        macro_rules! check {
            ($($f:tt),*) => { $( if has!($f) { v.push($f); } )* };
        }
        check!("sse4.2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512vnni", "avx512bf16");
    }
    #[cfg(target_arch = "aarch64")]
    {
        v.push("neon");
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_and_order() {
        assert_eq!(Isa::parse(" AVX512 "), Some(Isa::Avx512));
        assert_eq!(Isa::parse("avx2"), Some(Isa::Avx2));
        assert_eq!(Isa::parse("baseline"), Some(Isa::Baseline));
        assert_eq!(Isa::parse("sse9"), None);
        assert!(Isa::Baseline < Isa::Avx2 && Isa::Avx2 < Isa::Avx512);
        for l in Isa::ALL {
            assert_eq!(Isa::parse(l.name()), Some(l));
        }
    }

    #[test]
    fn active_never_exceeds_detected() {
        // (no `set_active` to a lower level here: tests run in parallel and share the level)
        assert!(active() <= detected());
        if detected() < Isa::Avx512 {
            assert!(set_active(Isa::Avx512).is_err());
        }
    }

    #[test]
    fn model_name_is_not_empty() {
        assert!(!cpu_model().is_empty());
    }
}
