//! The GPU context: one wgpu instance, adapter, device and queue per process, made on first use.
//!
//! The adapter is the one `RGRAD_GPU_ADAPTER` names (a case-insensitive substring of its name),
//! else the most capable kind present (discrete, integrated, virtual, then a software adapter such
//! as lavapipe). Every index, argmax and class target is int64, so an adapter without
//! SHADER_INT64 is not usable: `availability()` then says why. float64 and float16 are enabled
//! where the adapter offers them, as are 64-bit atomics (accumulating scatters in float64).
//!
//! wgpu's default error handler panics. Here the device gets an uncaptured-error handler that
//! records the first error (it surfaces as an [`Error`] at the next engine call), a device-lost
//! callback, and the engine wraps the calls that can fail (buffer creation, shader compilation,
//! submission) in error scopes, so a device error is always an `Err`, never a panic.

use super::buffer::{Counters, Pool};
use super::pipeline::Cache;
use super::stream::Stream;
use crate::error::{Error, Result};
use parking_lot::Mutex;
use std::sync::{Arc, OnceLock};

/// Features rgrad asks for when the adapter has them (SHADER_INT64 is required, see [`Context`]).
fn wanted_features() -> wgpu::Features {
    wgpu::Features::SHADER_INT64
        | wgpu::Features::SHADER_F64
        | wgpu::Features::SHADER_F16
        | wgpu::Features::SHADER_INT64_ATOMIC_ALL_OPS
        | wgpu::Features::SHADER_INT64_ATOMIC_MIN_MAX
}

/// Errors the device reported outside an error scope, and whether it was lost. The engine
/// checks this after each submission and turns an entry into an [`Error`].
#[derive(Default)]
pub(crate) struct ErrorSink {
    uncaptured: Mutex<Option<String>>,
    lost: Mutex<Option<String>>,
}

impl ErrorSink {
    /// Returns (and clears) an error the device reported since the last check; a lost device
    /// stays an error for good.
    pub(crate) fn take(&self) -> Result<()> {
        if let Some(why) = self.lost.lock().as_ref() {
            return Err(Error::Runtime(format!("GPU error: the device was lost ({why}); restart the process to use the GPU again")));
        }
        match self.uncaptured.lock().take() {
            Some(msg) => Err(Error::Runtime(format!("GPU error: {msg}"))),
            None => Ok(()),
        }
    }
}

/// Converts an error wgpu reported (through a scope or the uncaptured handler) to rgrad's:
/// out-of-memory becomes [`Error::Memory`] (Python's MemoryError), the rest RuntimeError.
pub(crate) fn from_wgpu(e: wgpu::Error, what: &str) -> Error {
    match e {
        wgpu::Error::OutOfMemory { .. } => Error::Memory(format!("GPU out of memory while {what}")),
        other => Error::Runtime(format!("GPU error while {what}: {other}")),
    }
}

/// The process's GPU: device, queue and what the adapter offers. Reached through [`context`].
pub struct Context {
    pub(crate) device: wgpu::Device,
    pub(crate) queue: wgpu::Queue,
    pub(crate) info: wgpu::AdapterInfo,
    pub(crate) features: wgpu::Features,
    pub(crate) limits: wgpu::Limits,
    pub(crate) errors: Arc<ErrorSink>,
    /// How many adapters with 64-bit integer support the instance saw.
    pub(crate) usable_adapters: usize,
    /// The command stream (lock order: stream, then cache or pool; the pool lock is a leaf).
    pub(crate) stream: Mutex<Stream>,
    pub(crate) cache: Mutex<Cache>,
    pub(crate) pool: Mutex<Pool>,
    pub(crate) counters: Counters,
}

impl Context {
    /// The adapter's name, as `rgrad.gpu.get_device_name()` reports it.
    pub fn adapter_name(&self) -> &str {
        &self.info.name
    }
    /// Whether float64 tensors can live on this device.
    pub fn has_f64(&self) -> bool {
        self.features.contains(wgpu::Features::SHADER_F64)
    }
    /// Whether 64-bit atomic compare-exchange is available (accumulating float64 scatters).
    pub fn has_atomic64(&self) -> bool {
        self.features.contains(wgpu::Features::SHADER_INT64_ATOMIC_ALL_OPS)
    }
    /// The largest buffer one binding can cover, in bytes: the largest tensor storage.
    pub fn max_binding_bytes(&self) -> u64 {
        self.limits.max_storage_buffer_binding_size.min(self.limits.max_buffer_size)
    }
    /// The largest workgroup count per dispatch dimension.
    pub fn max_groups(&self) -> u32 {
        self.limits.max_compute_workgroups_per_dimension.max(1)
    }
}

static CONTEXT: OnceLock<std::result::Result<Context, String>> = OnceLock::new();

/// The GPU context, made on the first call; `Err` (RuntimeError) naming why when there is no
/// usable GPU.
pub fn context() -> Result<&'static Context> {
    match CONTEXT.get_or_init(create) {
        Ok(c) => Ok(c),
        Err(why) => Err(Error::Runtime(format!("no usable GPU: {why}"))),
    }
}

/// Whether a GPU is usable, or the reason it is not (no driver, no adapter, no 64-bit integers).
pub fn availability() -> std::result::Result<&'static Context, String> {
    match CONTEXT.get_or_init(create) {
        Ok(c) => Ok(c),
        Err(why) => Err(why.clone()),
    }
}

/// Ranks adapter kinds: real GPUs before software ones.
fn kind_rank(t: wgpu::DeviceType) -> u8 {
    match t {
        wgpu::DeviceType::DiscreteGpu => 0,
        wgpu::DeviceType::IntegratedGpu => 1,
        wgpu::DeviceType::VirtualGpu => 2,
        wgpu::DeviceType::Cpu => 3,
        wgpu::DeviceType::Other => 4,
    }
}

fn create() -> std::result::Result<Context, String> {
    // Building the instance and probing drivers must not take the process down whatever the
    // system's Vulkan setup looks like.
    std::panic::catch_unwind(create_inner).unwrap_or_else(|p| {
        let msg = p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()));
        Err(format!("wgpu failed while opening the GPU: {}", msg.unwrap_or_else(|| "unknown panic".into())))
    })
}

fn create_inner() -> std::result::Result<Context, String> {
    let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
    // Compute needs Vulkan, Metal or DX12 (GL has no 64-bit integers); WGPU_BACKEND still narrows it.
    desc.backends = wgpu::Backends::VULKAN | wgpu::Backends::METAL | wgpu::Backends::DX12;
    desc.backends = wgpu::Backends::from_env().unwrap_or(desc.backends);
    // No Vulkan validation layers unless WGPU_VALIDATION asks (they slow every call).
    desc.flags = wgpu::InstanceFlags::empty().with_env();
    let instance = wgpu::Instance::new(desc);
    let adapters = pollster::block_on(instance.enumerate_adapters(wgpu::Backends::all()));
    if adapters.is_empty() {
        return Err("no GPU adapter found (no Vulkan, Metal or DX12 driver). On Debian/Ubuntu, \
                    `apt-get install mesa-vulkan-drivers libvulkan1` provides lavapipe, a Vulkan driver on the CPU"
            .into());
    }
    let names: Vec<String> = adapters.iter().map(|a| a.get_info().name).collect();
    let usable: Vec<&wgpu::Adapter> = adapters.iter().filter(|a| a.features().contains(wgpu::Features::SHADER_INT64)).collect();
    let chosen = match std::env::var("RGRAD_GPU_ADAPTER") {
        Ok(want) if !want.is_empty() => {
            let w = want.to_lowercase();
            let Some(a) = adapters.iter().find(|a| a.get_info().name.to_lowercase().contains(&w)) else {
                return Err(format!("RGRAD_GPU_ADAPTER={want:?} matches none of the adapters {names:?}"));
            };
            a
        }
        _ => match usable.iter().min_by_key(|a| kind_rank(a.get_info().device_type)) {
            Some(a) => a,
            None => return Err(format!("no adapter supports 64-bit integers in shaders (SHADER_INT64), which rgrad needs for indices; adapters: {names:?}")),
        },
    };
    let info = chosen.get_info();
    let have = chosen.features();
    if !have.contains(wgpu::Features::SHADER_INT64) {
        return Err(format!("GPU adapter '{}' does not support 64-bit integers in shaders (SHADER_INT64), which rgrad needs for indices", info.name));
    }
    let features = have & wanted_features();
    let limits = chosen.limits();
    let request = wgpu::DeviceDescriptor {
        label: Some("rgrad"),
        required_features: features,
        required_limits: limits.clone(),
        ..Default::default()
    };
    let (device, queue) = pollster::block_on(chosen.request_device(&request))
        .map_err(|e| format!("GPU adapter '{}' refused a device: {e}", info.name))?;
    let errors = Arc::new(ErrorSink::default());
    let sink = errors.clone();
    device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
        let mut slot = sink.uncaptured.lock();
        if slot.is_none() {
            *slot = Some(e.to_string());
        }
    }));
    let sink = errors.clone();
    device.set_device_lost_callback(move |reason, msg| {
        // Dropping the device at exit reports `Destroyed`: not an error anyone will see.
        if reason != wgpu::DeviceLostReason::Destroyed {
            *sink.lost.lock() = Some(if msg.is_empty() { format!("{reason:?}") } else { msg });
        }
    });
    let stream = Mutex::new(Stream::new(&device));
    Ok(Context {
        device,
        queue,
        info,
        features,
        limits,
        errors,
        usable_adapters: usable.len(),
        stream,
        cache: Mutex::new(Cache::default()),
        pool: Mutex::new(Pool::default()),
        counters: Counters::default(),
    })
}
