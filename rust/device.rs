//! Where a tensor's storage lives. Only the CPU exists today; the GPU backend
//! (wgpu, DESIGN §6) adds `Gpu(index)` and a matching `Storage` variant, and
//! every op's forward dispatches on this.

use crate::error::{Error, Result};
use std::fmt;

/// A device a tensor's storage can live on (`torch.device`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Device {
    /// Host memory (`torch.device("cpu")`).
    Cpu,
}

impl Device {
    /// Parses PyTorch-style device strings: "cpu", "cpu:0".
    pub fn parse(s: &str) -> Result<Device> {
        let s = s.trim();
        let (kind, index) = match s.split_once(':') {
            Some((k, i)) => (k, Some(i)),
            None => (s, None),
        };
        match kind {
            "cpu" => {
                if let Some(i) = index {
                    if i != "0" {
                        return Err(Error::Runtime(format!("Invalid device string: '{s}': the CPU has only index 0")));
                    }
                }
                Ok(Device::Cpu)
            }
            "gpu" | "cuda" | "mps" => Err(Error::Runtime(format!(
                "device '{s}' is not available: rgrad was built without a GPU backend"
            ))),
            _ => Err(Error::Runtime(format!(
                "Expected one of cpu, gpu device type at start of device string: {s}"
            ))),
        }
    }
    /// The device type as PyTorch names it (`torch.device.type`): `"cpu"`.
    pub fn kind(&self) -> &'static str {
        match self {
            Device::Cpu => "cpu",
        }
    }
    /// The device index (`torch.device.index`); always `None` for the CPU.
    pub fn index(&self) -> Option<usize> {
        None
    }
}

impl fmt::Display for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind())
    }
}
