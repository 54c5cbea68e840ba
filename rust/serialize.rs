//! Tensors to and from the safetensors format (the `safetensors` crate): a JSON header
//! naming each tensor's dtype, shape and byte range, then the raw little-endian data, and
//! a string-to-string metadata map. Nothing is executed when a file is read, so loading an
//! untrusted file is safe; a malformed or truncated one is an error naming what is wrong.

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::tensor::Tensor;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use std::borrow::Cow;
use std::collections::HashMap;

fn to_st(d: DType) -> Dtype {
    match d {
        DType::Bool => Dtype::BOOL,
        DType::I32 => Dtype::I32,
        DType::I64 => Dtype::I64,
        DType::F32 => Dtype::F32,
        DType::F64 => Dtype::F64,
    }
}

fn from_st(d: Dtype, name: &str) -> Result<DType> {
    Ok(match d {
        Dtype::BOOL => DType::Bool,
        Dtype::I32 => DType::I32,
        Dtype::I64 => DType::I64,
        Dtype::F32 => DType::F32,
        Dtype::F64 => DType::F64,
        other => {
            return Err(Error::Type(format!(
                "tensor '{name}' has dtype {other:?}, which rgrad does not have (bool, int32, int64, float32 and float64 are supported)"
            )))
        }
    })
}

/// A tensor's bytes as the format stores them (a contiguous little-endian copy when needed).
struct Bytes {
    dtype: Dtype,
    shape: Vec<usize>,
    data: Vec<u8>,
}

impl safetensors::View for &Bytes {
    fn dtype(&self) -> Dtype {
        self.dtype
    }
    fn shape(&self) -> &[usize] {
        &self.shape
    }
    fn data(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(&self.data)
    }
    fn data_len(&self) -> usize {
        self.data.len()
    }
}

/// Serialises named tensors and string metadata into the bytes of a safetensors file.
///
/// Tensors on any device are read back to the host first; names must be unique.
/// ```
/// use rgrad::Tensor;
/// use rgrad::serialize::{from_bytes, to_bytes};
/// use std::collections::HashMap;
/// let w = Tensor::from_slice(&[1.5f32, -2.0, 0.25, 4.0], &[2, 2]).unwrap();
/// let steps = Tensor::from_slice(&[7i64], &[1]).unwrap();
/// let meta = HashMap::from([("epoch".to_string(), "3".to_string())]);
/// let bytes = to_bytes(&[("w".into(), w), ("steps".into(), steps)], Some(meta)).unwrap();
///
/// let (tensors, meta) = from_bytes(&bytes).unwrap();
/// // file order is the writer's (not necessarily the order given): look tensors up by name
/// let w = &tensors.iter().find(|(name, _)| name == "w").unwrap().1;
/// assert_eq!(w.shape(), &[2, 2]);
/// assert_eq!(w.to_vec::<f32>().unwrap(), vec![1.5, -2.0, 0.25, 4.0]);
/// assert_eq!(meta["epoch"], "3");
/// assert!(from_bytes(&bytes[..10]).is_err()); // truncated
/// ```
pub fn to_bytes(tensors: &[(String, Tensor)], metadata: Option<HashMap<String, String>>) -> Result<Vec<u8>> {
    let mut seen = std::collections::HashSet::new();
    let mut views = Vec::with_capacity(tensors.len());
    for (name, t) in tensors {
        if !seen.insert(name.as_str()) {
            return Err(Error::Value(format!("save: two tensors are named '{name}'")));
        }
        let dense = if t.is_contiguous() { t.detach() } else { t.contiguous_raw()? };
        let data = crate::backend::read_bytes(&dense)?;
        views.push((name.clone(), Bytes { dtype: to_st(t.dtype()), shape: t.shape().to_vec(), data }));
    }
    safetensors::tensor::serialize(views.iter().map(|(n, b)| (n.as_str(), b)), metadata)
        .map_err(|e| Error::Runtime(format!("save: could not write safetensors data: {e}")))
}

/// What a safetensors file holds: its tensors by name (in file order) and its metadata map.
pub type Contents = (Vec<(String, Tensor)>, HashMap<String, String>);

/// Reads the bytes of a safetensors file: the tensors (copied out, in file order) and the
/// metadata map.
pub fn from_bytes(bytes: &[u8]) -> Result<Contents> {
    let st = SafeTensors::deserialize(bytes).map_err(|e| Error::Runtime(format!("not a valid safetensors file: {e}")))?;
    let (_, meta) = SafeTensors::read_metadata(bytes).map_err(|e| Error::Runtime(format!("not a valid safetensors file: {e}")))?;
    let metadata = meta.metadata().clone().unwrap_or_default();
    let mut named: Vec<(String, TensorView<'_>)> = st.tensors();
    // file order: by where each tensor's bytes start
    named.sort_by_key(|(_, v)| v.data().as_ptr() as usize);
    let mut out = Vec::with_capacity(named.len());
    for (name, view) in named {
        let dtype = from_st(view.dtype(), &name)?;
        let data = view.data();
        let t = Tensor::empty_on(view.shape(), dtype, crate::Device::Cpu)?;
        if data.len() != t.numel() * dtype.size() {
            return Err(Error::Runtime(format!("not a valid safetensors file: tensor '{name}' has {} bytes for shape {:?}", data.len(), view.shape())));
        }
        if dtype == DType::Bool && data.iter().any(|&b| b > 1) {
            return Err(Error::Runtime(format!("not a valid safetensors file: bool tensor '{name}' holds a byte other than 0 or 1")));
        }
        crate::backend::upload_bytes(&t, data)?;
        out.push((name, t));
    }
    Ok((out, metadata))
}
