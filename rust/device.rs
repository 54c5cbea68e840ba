//! Where a tensor's storage lives: the CPU, or a GPU (the wgpu backend, DESIGN §6).
//!
//! A tensor's device is its storage's (`Storage::device`); every backend primitive matches on
//! it once. Whether a device can be used at all is decided in one place,
//! [`Device::check_available`]: the GPU backend makes `Gpu(_)` available there.

use crate::error::{Error, Result};
use std::fmt;

/// A device a tensor's storage can live on (`torch.device`).
///
/// ```
/// use rgrad::{DType, Device, Tensor};
/// let cpu = Tensor::zeros(&[2], DType::F32).unwrap();
/// assert_eq!(cpu.device(), Device::Cpu);
/// assert_eq!(Device::parse("cuda:0").unwrap(), Device::Gpu(0)); // PyTorch's name reads as the GPU
/// // GPU code checks first: without a GPU backend or a usable adapter this is an Err
/// if Device::Gpu(0).check_available().is_ok() {
///     let g = Tensor::ones_on(&[2], DType::F32, Device::Gpu(0)).unwrap();
///     let back = g.add(&g).unwrap().to_device(Device::Cpu).unwrap();
///     assert_eq!(back.to_vec::<f32>().unwrap(), vec![2.0, 2.0]);
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Device {
    /// Host memory (`torch.device("cpu")`).
    Cpu,
    /// The GPU with this index (`"gpu:0"`); usable only in builds with a GPU backend.
    Gpu(usize),
}

impl Device {
    /// Parses PyTorch-style device strings: "cpu", "cpu:0", "gpu", "gpu:N" ("cuda" is read as
    /// "gpu", so code written for PyTorch names the same device). A GPU is an error while no
    /// GPU backend is compiled in ([`Device::check_available`]).
    pub fn parse(s: &str) -> Result<Device> {
        let s = s.trim();
        let (kind, index) = match s.split_once(':') {
            Some((k, i)) => (k, Some(i)),
            None => (s, None),
        };
        let device = match kind {
            "cpu" => {
                if let Some(i) = index {
                    if i != "0" {
                        return Err(Error::Runtime(format!("Invalid device string: '{s}': the CPU has only index 0")));
                    }
                }
                Device::Cpu
            }
            "gpu" | "cuda" => {
                let i = match index {
                    None => 0,
                    Some(i) => i.parse::<usize>().map_err(|_| Error::Runtime(format!("Invalid device string: '{s}'")))?,
                };
                Device::Gpu(i)
            }
            "mps" => {
                return Err(Error::Runtime(format!("device '{s}' is not available: rgrad names its GPU backend 'gpu' (wgpu: Metal, Vulkan or DX12)")));
            }
            _ => {
                return Err(Error::Runtime(format!("Expected one of cpu, gpu device type at start of device string: {s}")));
            }
        };
        device.check_available()?;
        Ok(device)
    }

    /// The one place that decides whether a device can hold tensors in this build: the CPU
    /// always; `gpu:0` when the GPU backend is compiled in (feature `gpu`) and found a usable
    /// adapter (rgrad opens one GPU, so `gpu:1` and up are never available).
    pub fn check_available(self) -> Result<()> {
        match self {
            Device::Cpu => Ok(()),
            #[cfg(feature = "gpu")]
            Device::Gpu(0) => crate::gpu::availability().map_err(|why| Error::Runtime(format!("device '{self}' is not available: {why}"))),
            #[cfg(feature = "gpu")]
            Device::Gpu(_) => Err(Error::Runtime(format!(
                "device '{self}' is not available: rgrad uses one GPU, 'gpu:0' ({} usable)",
                crate::gpu::device_count()
            ))),
            #[cfg(not(feature = "gpu"))]
            Device::Gpu(_) => Err(Error::Runtime(format!("device '{self}' is not available: rgrad was built without a GPU backend"))),
        }
    }

    /// The device type as PyTorch names it (`torch.device.type`): `"cpu"` or `"gpu"`.
    pub fn kind(&self) -> &'static str {
        match self {
            Device::Cpu => "cpu",
            Device::Gpu(_) => "gpu",
        }
    }
    /// The device index (`torch.device.index`); always `None` for the CPU.
    pub fn index(&self) -> Option<usize> {
        match self {
            Device::Cpu => None,
            Device::Gpu(i) => Some(*i),
        }
    }
}

impl fmt::Display for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Device::Cpu => write!(f, "cpu"),
            Device::Gpu(i) => write!(f, "gpu:{i}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn parse_names_devices_and_refuses_missing_backends() {
        assert_eq!(Device::parse("cpu").unwrap(), Device::Cpu);
        assert_eq!(Device::parse(" cpu:0 ").unwrap(), Device::Cpu);
        assert!(Device::parse("cpu:1").is_err());
        for s in ["gpu:1", "cuda:3", "mps"] {
            let e = Device::parse(s).unwrap_err().to_string();
            assert!(e.contains("not available") && e.contains(s.replace("cuda", "gpu").as_str()), "{s}: {e}");
        }
        assert!(Device::parse("tpu").unwrap_err().to_string().contains("Expected one of cpu, gpu"));
        assert!(Device::Gpu(1).check_available().is_err());
        assert_eq!(Device::Gpu(2).to_string(), "gpu:2");
        assert_eq!((Device::Gpu(2).kind(), Device::Gpu(2).index()), ("gpu", Some(2)));
    }
}
