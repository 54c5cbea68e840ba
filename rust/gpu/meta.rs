//! Per-dispatch metadata: 128 words (512 bytes) written into the uniform ring for each dispatch,
//! read by the shader through `mw(i)` (common.wgsl).
//!
//! The word positions are declared once here (`slots!`): Rust writes through these constants
//! and the shader source gets the same names as WGSL constants (`wgsl_consts`), so the two sides
//! cannot disagree about where a stride lives.

use crate::error::{Error, Result};
use crate::layout::Layout;

/// Words per dispatch slot; 512 bytes, a multiple of every adapter's uniform offset alignment
/// (WebGPU guarantees at most 256).
pub const META_WORDS: usize = 128;
/// Dims a kernel handles after merging; more is refused (PyTorch's own CUDA limit is 25, but a
/// layout that does not merge below 16 dims has never been seen in practice).
pub const MAX_RANK: usize = 16;

macro_rules! slots {
    ($($name:ident = $v:expr),* $(,)?) => {
        /// Word positions in a dispatch's metadata (the same names exist in WGSL as `M_<NAME>`).
        #[allow(dead_code)]
        // crate-only: the kernels' business (the Python shader tests read the layout through
        // `wgsl_consts`); the invocation below says what each word holds
        pub(crate) mod slot { $(pub const $name: usize = $v;)* }
        /// The slot constants as WGSL source, prepended to every shader.
        pub fn wgsl_consts() -> String {
            let mut s = String::new();
            $(s.push_str(&format!("const M_{}: u32 = {}u;\n", stringify!($name), $v));)*
            s.push_str(&format!("const MAX_RANK: u32 = {}u;\n", MAX_RANK));
            s
        }
    };
}

// Strided element-wise family (fill, copy, unary, binary, ternary, random):
//   operand 0 is the output, 1..=3 inputs; element i of the output (row-major over SHAPE) lives at
//   OFFSETS[k] + sum(coord[d] * STRIDES[k][d]) in operand k's buffer.
// Reductions, scans, softmax, matmul, sort and index kernels reuse the header and lay out the rest
// as their file in rust/gpu/kernels says.
slots! {
    N = 0,          // work items (elements, rows, ...)
    RANK = 1,       // dims of SHAPE
    FLAGS = 2,      // op-specific bits
    AUX = 3,        // op-specific count
    SCALARS = 4,    // 4 scalars x 2 words (64-bit little-endian bit patterns)
    OFFSETS = 12,   // 4 operand offsets, in elements (i32)
    SHAPE = 16,     // MAX_RANK sizes
    STRIDES = 32,   // 4 x MAX_RANK strides, in elements (i32, signed)
    EXTRA = 96,     // 32 words for a family's own fields
    // matmul.wgsl: sizes, row/column strides of a, b, out, first batch index of this dispatch
    MM_M = 96, MM_N = 97, MM_K = 98, MM_A_RS = 99, MM_A_CS = 100, MM_B_RS = 101, MM_B_CS = 102,
    MM_C_RS = 103, MM_C_CS = 104, MM_BATCH0 = 105,
    // reduce.wgsl: the reduced sub-space (rank, size, chunks per output, chunk length, shape,
    // input strides); the kept dims use SHAPE / STRIDES (0 out, 1 input, 2 index out)
    RED_RANK = 96, RED_N = 97, RED_CHUNKS = 98, RED_CHUNK = 99, RED_SHAPE = 100, RED_STRIDES = 113,
    // scan.wgsl, softmax.wgsl, sort.wgsl: lines along one dim (the other dims use SHAPE /
    // STRIDES): the line length and each operand's stride along it
    LN_LEN = 96, LN_STRIDES = 97,
    // index.wgsl: the indexed dim's length, stride and number (for the error message)
    IX_SIZE = 96, IX_STRIDE = 97, IX_DIM = 98,
    // sort.wgsl (after the line fields): padded line length, network stage (k, j), elements
    // written per line, number of lines
    SORT_P = 101, SORT_K = 102, SORT_J = 103, SORT_TAKE = 104, SORT_LINES = 105,
    // Always 0, written by nobody: shaders hide values behind it (opaque_* in float_ops.wgsl)
    // where the compiler must not re-associate float arithmetic.
    OPAQUE = 127,
}
/// Dims of a reduction's reduced sub-space after merging.
pub const MAX_RED_RANK: usize = 13;

/// A dispatch's metadata under construction.
#[derive(Clone)]
pub struct Meta {
    /// The words, indexed by the `slot` constants.
    pub words: [u32; META_WORDS],
}

impl Default for Meta {
    fn default() -> Self {
        Meta { words: [0; META_WORDS] }
    }
}

/// The bit pattern a kernel reads back for a scalar of `dtype` (see `scalar_*` in common.wgsl):
/// floats as their own width, integers as two's complement, bool as 0/1.
pub fn scalar_bits(v: f64, dtype: crate::dtype::DType) -> u64 {
    use crate::dtype::DType::*;
    match dtype {
        F32 => (v as f32).to_bits() as u64,
        F64 => v.to_bits(),
        I32 => (v as i32) as u32 as u64,
        I64 => (v as i64) as u64,
        Bool => (v != 0.0) as u64,
    }
}

impl Meta {
    /// Writes `v` at word `i` (a `slot` constant).
    pub fn set(&mut self, i: usize, v: u32) -> &mut Self {
        self.words[i] = v;
        self
    }
    /// Writes a signed offset or stride at word `i`, as two's complement; an `Err` when it does
    /// not fit in 32 bits (the shaders read offsets and strides as `i32`).
    pub fn set_i(&mut self, i: usize, v: i64) -> Result<&mut Self> {
        let v = i32::try_from(v).map_err(|_| Error::Runtime(format!("GPU kernel: offset or stride {v} does not fit in 32 bits")))?;
        self.words[i] = v as u32;
        Ok(self)
    }
    /// Scalar slot `k` (0..4) as a 64-bit pattern (see [`scalar_bits`]).
    pub fn scalar(&mut self, k: usize, bits: u64) -> &mut Self {
        self.words[slot::SCALARS + 2 * k] = bits as u32;
        self.words[slot::SCALARS + 2 * k + 1] = (bits >> 32) as u32;
        self
    }
    /// Writes a merged strided iteration space: shape at SHAPE, operand k's offset and strides.
    pub fn strided(&mut self, space: &Space) -> Result<&mut Self> {
        self.words[slot::N] = u32::try_from(space.numel()).map_err(|_| too_big(space.numel()))?;
        self.words[slot::RANK] = space.shape.len() as u32;
        for (d, &s) in space.shape.iter().enumerate() {
            self.words[slot::SHAPE + d] = s as u32;
        }
        for (k, (off, st)) in space.offsets.iter().zip(&space.strides).enumerate() {
            self.set_i(slot::OFFSETS + k, *off as i64)?;
            for (d, &s) in st.iter().enumerate() {
                self.set_i(slot::STRIDES + k * MAX_RANK + d, s as i64)?;
            }
        }
        Ok(self)
    }
    /// Little-endian bytes, as the uniform ring holds them.
    pub fn bytes(&self) -> &[u8] {
        bytemuck::cast_slice(&self.words)
    }
}

fn too_big(n: usize) -> Error {
    Error::Runtime(format!("GPU kernel: {n} elements is more than one dispatch can index (2^32)"))
}

/// Several operands walked together over one shape, with the dims merged where every operand
/// allows it (so a contiguous tensor is rank 1 whatever its shape).
#[derive(Clone, Debug, PartialEq)]
pub struct Space {
    /// The merged shape, outermost dim first.
    pub shape: Vec<usize>,
    /// Each operand's starting element offset.
    pub offsets: Vec<usize>,
    /// Each operand's strides over `shape`, in elements (0 for a broadcast dim).
    pub strides: Vec<Vec<isize>>,
}

impl Space {
    /// Elements in the space (the product of `shape`).
    pub fn numel(&self) -> usize {
        self.shape.iter().product()
    }
    /// Merges `layouts` (all of one shape) into the fewest dims: size-1 dims go, and dim d folds
    /// into d+1 when every operand steps over d exactly as far as over all of d+1.
    pub fn merge(layouts: &[&Layout]) -> Result<Space> {
        let shape0 = &layouts[0].shape;
        for l in layouts {
            if &l.shape != shape0 {
                return Err(Error::Runtime(format!(
                    "GPU kernel: operand shapes differ ({:?} vs {:?}); the caller broadcasts first",
                    l.shape.as_slice(),
                    shape0.as_slice()
                )));
            }
        }
        let k = layouts.len();
        let mut shape: Vec<usize> = Vec::new();
        let mut strides: Vec<Vec<isize>> = vec![Vec::new(); k];
        if shape0.contains(&0) {
            shape.push(0);
            for st in strides.iter_mut() {
                st.push(0);
            }
        } else {
            for d in 0..shape0.len() {
                let s = shape0[d];
                if s == 1 {
                    continue;
                }
                let mergeable = !shape.is_empty()
                    && layouts.iter().enumerate().all(|(j, l)| strides[j].last().copied() == Some(l.strides[d] * s as isize));
                if mergeable {
                    *shape.last_mut().unwrap() *= s;
                    for (j, l) in layouts.iter().enumerate() {
                        *strides[j].last_mut().unwrap() = l.strides[d];
                    }
                } else {
                    shape.push(s);
                    for (j, l) in layouts.iter().enumerate() {
                        strides[j].push(l.strides[d]);
                    }
                }
            }
        }
        if shape.len() > MAX_RANK {
            return Err(Error::NotImplemented(format!(
                "GPU kernels handle at most {MAX_RANK} dims after merging contiguous ones; this layout has {} (make the tensor contiguous first)",
                shape.len()
            )));
        }
        Ok(Space { shape, offsets: layouts.iter().map(|l| l.offset).collect(), strides })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn merging() {
        let a = Layout::contiguous(&[2, 3, 4]);
        let s = Space::merge(&[&a, &a]).unwrap();
        assert_eq!(s.shape, vec![24]);
        let t = a.transpose(0, 2).unwrap();
        let s = Space::merge(&[&t, &Layout::contiguous(&[4, 3, 2])]).unwrap();
        assert_eq!(s.shape, vec![4, 3, 2]);
        let b = Layout::contiguous(&[3, 1]).expand(&[2, 3, 4]).unwrap();
        let s = Space::merge(&[&a, &b]).unwrap();
        assert_eq!((s.shape.clone(), s.strides[1].clone()), (vec![2, 3, 4], vec![0, 1, 0]));
        let e = Layout::contiguous(&[0, 5]);
        assert_eq!(Space::merge(&[&e]).unwrap().numel(), 0);
        assert_eq!(Space::merge(&[&Layout::contiguous(&[])]).unwrap().numel(), 1);
    }
}
