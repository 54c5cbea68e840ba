//! Records how this copy of rgrad was built, for `rgrad.__config__.show()`: the Cargo
//! profile, optimisation level, target and the target features it was compiled for (the
//! target's baseline: faster kernels are chosen at run time, see rust/cpu/isa.rs).

fn main() {
    // OUT_DIR is <target-dir>/[<triple>/]<profile>/build/<package>-<hash>/out
    let out = std::env::var("OUT_DIR").unwrap_or_default();
    let profile = std::path::Path::new(&out)
        .ancestors()
        .nth(3)
        .and_then(|p| p.file_name())
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| std::env::var("PROFILE").unwrap_or_default());
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    let rustc = std::process::Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    println!("cargo:rustc-env=RGRAD_BUILD_PROFILE={profile}");
    println!("cargo:rustc-env=RGRAD_BUILD_OPT_LEVEL={}", var("OPT_LEVEL"));
    println!("cargo:rustc-env=RGRAD_BUILD_TARGET={}", var("TARGET"));
    println!("cargo:rustc-env=RGRAD_BUILD_TARGET_FEATURES={}", var("CARGO_CFG_TARGET_FEATURE").replace(',', " "));
    println!("cargo:rustc-env=RGRAD_BUILD_RUSTC={rustc}");
    println!("cargo:rerun-if-changed=build.rs");
}
