//! Shader source: the WGSL files in `shaders/` (compiled into the crate), their placeholders and
//! the ONE function that fills them, [`shader_source`]. The GPU engine compiles what it returns,
//! and the Python shader tests (tests/test_shaders.py, through `rgrad._rgrad._gpu_shader_source`)
//! load exactly the same text into wgpu-py, so both sides always test the same shader.
//!
//! A filled shader is: the metadata slot constants (meta.rs), `common.wgsl`, the helper libraries
//! the kernel's dtypes need (`float_ops.wgsl` per float type, `int_ops.wgsl` per integer type,
//! `f64_math.wgsl` for float64 transcendentals), then the family's file with its `{{NAME}}`
//! placeholders replaced. A placeholder left unfilled is an error, never a silent blank.

use super::pipeline::Access;
use crate::dtype::DType;
use crate::error::{Error, Result};
use smallvec::SmallVec;

/// One file in `shaders/`: its name and the text compiled into the crate.
pub struct ShaderFile {
    /// The file name in `shaders/` (e.g. `map.wgsl`).
    pub name: &'static str,
    /// The text as it was when the crate was built (`include_str!`).
    pub embedded: &'static str,
}

impl ShaderFile {
    /// The file's text: the copy compiled into the crate, or, when the environment variable
    /// `RGRAD_SHADER_DIR` names a directory (a development aid: edit a shader and rerun without
    /// rebuilding), the file of that name there.
    pub fn text(&self) -> std::borrow::Cow<'static, str> {
        if let Some(dir) = std::env::var_os("RGRAD_SHADER_DIR") {
            if let Ok(t) = std::fs::read_to_string(std::path::Path::new(&dir).join(self.name)) {
                return t.into();
            }
        }
        self.embedded.into()
    }
}

macro_rules! shader_files {
    ($($id:ident => $file:literal),* $(,)?) => {
        $(pub(crate) const $id: ShaderFile = ShaderFile { name: $file, embedded: include_str!(concat!("../../shaders/", $file)) };)*
        /// Every file in `shaders/`, for tests that check each one is used.
        pub const ALL_FILES: &[ShaderFile] = &[$($id),*];
    };
}

shader_files! {
    COMMON => "common.wgsl",
    FLOAT_OPS => "float_ops.wgsl",
    F32_MATH => "f32_math.wgsl",
    F64_MATH => "f64_math.wgsl",
    F64_TRIG => "f64_trig.wgsl",
    F64_SINCOS => "f64_sincos.wgsl",
    INT_OPS => "int_ops.wgsl",
    MAP => "map.wgsl",
    MATMUL => "matmul.wgsl",
    REDUCE => "reduce.wgsl",
    SCAN => "scan.wgsl",
    SOFTMAX => "softmax.wgsl",
    INDEX => "index.wgsl",
    SELECT => "select.wgsl",
    SORT => "sort.wgsl",
    SEARCH => "search.wgsl",
    RANDOM => "random.wgsl",
}

/// The kernel families: each has one shader file (plus the shared libraries).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    /// fill, arange, linspace (no inputs).
    Fill,
    /// copy / cast between any two dtypes.
    Copy,
    /// one-input element-wise ops (`UnaryOp`).
    Unary,
    /// two-input element-wise ops (`BinaryOp`), either operand possibly a scalar.
    Binary,
    /// where, clamp between tensors, masked fill.
    Ternary,
    /// batched strided matrix product.
    Matmul,
    /// reductions over dims (tree reductions), arg-reductions.
    Reduce,
    /// cumulative ops along a dim.
    Scan,
    /// softmax / log_softmax forward and backward.
    Softmax,
    /// gather / scatter along a dim (index_select, index_add).
    Index,
    /// masked_select / nonzero (count, then compact).
    Select,
    /// sort / argsort / topk (bitonic).
    Sort,
    /// searchsorted.
    Search,
    /// random fills (Philox), through map.wgsl.
    Random,
}

impl Family {
    /// Every family, for listing and precompiling.
    pub const ALL: [Family; 14] = [
        Family::Fill,
        Family::Copy,
        Family::Unary,
        Family::Binary,
        Family::Ternary,
        Family::Matmul,
        Family::Reduce,
        Family::Scan,
        Family::Softmax,
        Family::Index,
        Family::Select,
        Family::Sort,
        Family::Search,
        Family::Random,
    ];
    /// The family's name in shader keys and the Python shader tests (`"binary"`).
    pub fn name(self) -> &'static str {
        match self {
            Family::Fill => "fill",
            Family::Copy => "copy",
            Family::Unary => "unary",
            Family::Binary => "binary",
            Family::Ternary => "ternary",
            Family::Matmul => "matmul",
            Family::Reduce => "reduce",
            Family::Scan => "scan",
            Family::Softmax => "softmax",
            Family::Index => "index",
            Family::Select => "select",
            Family::Sort => "sort",
            Family::Search => "search",
            Family::Random => "random",
        }
    }
    /// The family named `s` (the inverse of [`Family::name`]).
    pub fn from_name(s: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.name() == s)
    }
}

/// What identifies one compiled kernel: family, entry point, op, dtypes and a variant number
/// (family-specific bits: which input reads the output's buffer, scalar operands, ...).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ShaderKey {
    /// The family whose template the kernel comes from.
    pub family: Family,
    /// The WGSL entry point (`main` unless a family has several passes).
    pub entry: &'static str,
    /// The op within the family (`"add"`, `"sum"`, ...).
    pub op: &'static str,
    /// The dtypes it is specialised for, operands first (as the family orders them).
    pub dtypes: SmallVec<[DType; 4]>,
    /// Family-specific variant bits (0 unless the family defines some).
    pub variant: u32,
}

impl ShaderKey {
    /// A key with the entry point `main`.
    pub fn new(family: Family, op: &'static str, dtypes: &[DType], variant: u32) -> ShaderKey {
        ShaderKey { family, entry: "main", op, dtypes: dtypes.into(), variant }
    }
    /// A readable name (pipeline labels, error messages): `binary/add[float32,float32]#0:main`.
    pub fn name(&self) -> String {
        let d: Vec<&str> = self.dtypes.iter().map(|d| d.name()).collect();
        format!("{}/{}[{}]#{}:{}", self.family.name(), self.op, d.join(","), self.variant, self.entry)
    }
}

/// The WGSL type that holds one element of `d` in a buffer (bool is a u32 0 or 1).
pub fn wgsl_type(d: DType) -> &'static str {
    match d {
        DType::Bool => "u32",
        DType::I32 => "i32",
        DType::I64 => "i64",
        DType::F32 => "f32",
        DType::F64 => "f64",
    }
}

/// Bytes one element of `d` takes on the GPU.
pub fn gpu_elem_size(d: DType) -> usize {
    match d {
        DType::Bool | DType::I32 | DType::F32 => 4,
        DType::I64 | DType::F64 => 8,
    }
}

/// Replaces each `{{NAME}}` in `template` with its value; an unknown or unfilled placeholder is
/// an error naming it.
pub fn fill(template: &str, values: &[(&str, &str)]) -> Result<String> {
    let mut out = String::with_capacity(template.len() + 256);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or_else(|| Error::Runtime("shader template: unclosed {{".into()))?;
        let name = &after[..end];
        let v = values
            .iter()
            .find(|(k, _)| *k == name)
            .ok_or_else(|| Error::Runtime(format!("shader template: no value for {{{{{name}}}}}")))?;
        out.push_str(v.1);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Storage bindings of a kernel, declared in order from binding 1 (0 is the metadata).
#[derive(Default)]
pub struct Bindings {
    /// The WGSL declarations, one `@group(0) @binding(n)` line per buffer.
    pub decls: String,
    /// The access mode of each declared buffer, in binding order.
    pub accesses: Vec<Access>,
}

impl Bindings {
    /// Declares `name: array<ty>` at the next binding.
    pub fn add(&mut self, name: &str, ty: &str, access: Access) -> &mut Self {
        let n = self.accesses.len() + 1;
        let mode = match access {
            Access::Read => "read",
            Access::ReadWrite | Access::Status => "read_write",
        };
        self.decls.push_str(&format!("@group(0) @binding({n}) var<storage, {mode}> {name}: array<{ty}>;\n"));
        self.accesses.push(access);
        self
    }
    /// Declares the engine's status words (kernels that can fail on the device); always last.
    pub fn status(&mut self) -> &mut Self {
        let n = self.accesses.len() + 1;
        self.decls.push_str(&format!("@group(0) @binding({n}) var<storage, read_write> status: array<atomic<u32>, 8>;\n"));
        // The first failure wins; later ones leave its record alone.
        self.decls.push_str(
            "fn report(code: u32, v0: u32, v1: u32, v2: u32, v3: u32) {\n    \
             loop {\n        \
             let r = atomicCompareExchangeWeak(&status[0], 0u, code);\n        \
             if (r.exchanged) { atomicStore(&status[1], v0); atomicStore(&status[2], v1); atomicStore(&status[3], v2); atomicStore(&status[4], v3); return; }\n        \
             if (r.old_value != 0u) { return; }\n    \
             }\n}\n",
        );
        self.accesses.push(Access::Status);
        self
    }
}

/// The helper libraries for `dtypes`, in dependency order, instantiated per type.
pub fn libraries(dtypes: &[DType]) -> Result<String> {
    let mut s = String::new();
    let mut seen: Vec<DType> = Vec::new();
    for &d in dtypes {
        if seen.contains(&d) {
            continue;
        }
        seen.push(d);
        match d {
            DType::F32 => {
                s.push_str(&fill(&FLOAT_OPS.text(), &float_params(DType::F32))?);
                s.push_str(&F32_MATH.text());
            }
            DType::F64 => {
                s.push_str(&fill(&FLOAT_OPS.text(), &float_params(DType::F64))?);
                s.push_str(&F64_MATH.text());
                s.push_str(&F64_TRIG.text());
                s.push_str(&F64_SINCOS.text());
            }
            DType::I32 => s.push_str(&fill(&INT_OPS.text(), &[("I", "i32"), ("BITS", "32"), ("ONE", "1i")])?),
            DType::I64 => s.push_str(&fill(&INT_OPS.text(), &[("I", "i64"), ("BITS", "64"), ("ONE", "1li")])?),
            DType::Bool => {}
        }
    }
    Ok(s)
}

/// Placeholders of float_ops.wgsl: the float type, its bit type and its field layout.
fn float_params(d: DType) -> Vec<(&'static str, &'static str)> {
    if d == DType::F64 {
        vec![
            ("F", "f64"),
            ("U", "u64"),
            ("SCALAR_BITS", "scalar_u64(k)"),
            ("ABS", "0x7ffffffffffffffflu"),
            ("SIGN", "0x8000000000000000lu"),
            ("EXP_MASK", "0x7ff0000000000000lu"),
            ("QNAN", "0x7ff8000000000000lu"),
            ("MAX_FINITE", "0x7fefffffffffffflu"),
            ("WBITS", "64"),
            ("MANT_BITS", "52u"),
            ("EXP_BITS_MAX", "2047"),
        ]
    } else {
        vec![
            ("F", "f32"),
            ("U", "u32"),
            ("SCALAR_BITS", "mw(M_SCALARS + 2u * k)"),
            ("ABS", "0x7fffffffu"),
            ("SIGN", "0x80000000u"),
            ("EXP_MASK", "0x7f800000u"),
            ("QNAN", "0x7fc00000u"),
            ("MAX_FINITE", "0x7f7fffffu"),
            ("WBITS", "32"),
            ("MANT_BITS", "23u"),
            ("EXP_BITS_MAX", "255"),
        ]
    }
}

/// THE filling function: the complete WGSL for `key` and its storage bindings' access modes.
/// Everything that compiles a kernel, in Rust or in the Python shader tests, goes through here.
pub fn shader_source(key: &ShaderKey) -> Result<(String, Vec<Access>)> {
    let (body, accesses) = match key.family {
        Family::Fill | Family::Copy | Family::Unary | Family::Binary | Family::Ternary | Family::Random => super::kernels::map::source(key)?,
        Family::Matmul => super::kernels::matmul::source(key)?,
        Family::Reduce => super::kernels::reduce::source(key)?,
        Family::Scan => super::kernels::scan::source(key)?,
        Family::Softmax => super::kernels::softmax::source(key)?,
        Family::Index => super::kernels::index::source(key)?,
        Family::Select => super::kernels::select::source(key)?,
        Family::Sort => super::kernels::sort::sort_source(key)?,
        Family::Search => super::kernels::sort::search_source(key)?,
    };
    let mut s = format!("// rgrad kernel {}\n", key.name());
    s.push_str(&super::meta::wgsl_consts());
    s.push_str(&COMMON.text());
    s.push_str(&body);
    Ok((s, accesses))
}

/// A [`ShaderKey`] from names, as the Python shader tests give them: family and op names, dtype
/// names (`"float32"`), the variant number.
pub fn key_by_name(family: &str, op: &str, dtypes: &[&str], variant: u32) -> Result<ShaderKey> {
    let fam = Family::from_name(family).ok_or_else(|| Error::Value(format!("unknown shader family '{family}'")))?;
    let dtypes: Vec<DType> = dtypes.iter().map(|d| DType::from_name(d)).collect::<Result<_>>()?;
    let op = super::kernels::op_name_static(fam, op).ok_or_else(|| Error::Value(format!("unknown op '{op}' in shader family '{family}'")))?;
    Ok(ShaderKey::new(fam, op, &dtypes, variant))
}

/// The entry points the shader files define.
pub fn entry_static(name: &str) -> Option<&'static str> {
    const ENTRIES: &[&str] = &["main", "per_thread", "forward", "forward_short", "backward", "backward_short", "count", "scan_blocks", "compact", "init", "step", "gather_out"];
    ENTRIES.iter().find(|e| **e == name).copied()
}
