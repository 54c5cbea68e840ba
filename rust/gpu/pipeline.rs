//! Compiled kernels and the caches that make a dispatch cheap: compute pipelines keyed by
//! [`ShaderKey`] (shader family, entry point, op, dtypes, variant), bind-group layouts by their
//! binding signature, and bind groups by (layout, buffer ids). A dispatch is then: look up the
//! pipeline, look up or make the bind group, write the metadata slot, record.

use super::buffer::GpuBuffer;
use super::context::{context, from_wgpu, Context};
use super::meta::Meta;
use super::source::{shader_source, ShaderKey};
use super::stream::{SLOT_BYTES, STATUS_WORDS};
use crate::error::{Error, Result};
use smallvec::SmallVec;
use std::collections::HashMap;
use std::sync::Arc;

/// How a shader binds one storage buffer.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Access {
    /// `var<storage, read>`: the kernel only reads it.
    Read,
    /// `var<storage, read_write>`: the kernel writes it (outputs, in-place operands).
    ReadWrite,
    /// The engine's status words (read-write storage, bound by the engine itself).
    Status,
}

/// One buffer argument of a dispatch, in binding order (binding 0 is always the metadata ring).
#[derive(Clone, Copy)]
pub enum Arg<'a> {
    /// A buffer the kernel reads or writes; its access mode comes from the kernel's [`Bindings`](crate::gpu::source::Bindings).
    Buf(&'a GpuBuffer),
    /// The engine's status words (kernels that can fail on the device).
    Status,
}

pub(crate) struct Compiled {
    pipeline: wgpu::ComputePipeline,
    layout_id: usize,
    layout: wgpu::BindGroupLayout,
    accesses: Vec<Access>,
}

/// Bind groups above this many are dropped wholesale (they are cheap to remake; the cache exists
/// for the training loop that reuses the same pooled buffers every step).
const MAX_GROUPS: usize = 4096;

#[derive(Default)]
pub(crate) struct Cache {
    pipelines: HashMap<ShaderKey, Arc<Compiled>>,
    layouts: HashMap<Vec<Access>, (usize, wgpu::BindGroupLayout)>,
    groups: HashMap<(usize, SmallVec<[u64; 6]>), wgpu::BindGroup>,
}

impl Cache {
    /// Forgets bind groups that name any of `ids` (their buffers are being freed).
    pub(crate) fn forget_buffers(&mut self, ids: &[u64]) {
        if !ids.is_empty() {
            self.groups.retain(|(_, bufs), _| !bufs.iter().any(|b| ids.contains(b)));
        }
    }
    pub(crate) fn pipeline_count(&self) -> usize {
        self.pipelines.len()
    }
}

fn layout_for(ctx: &Context, cache: &mut Cache, accesses: &[Access]) -> (usize, wgpu::BindGroupLayout) {
    if let Some((id, l)) = cache.layouts.get(accesses) {
        return (*id, l.clone());
    }
    let mut entries = vec![wgpu::BindGroupLayoutEntry {
        binding: 0,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Uniform,
            has_dynamic_offset: true,
            min_binding_size: std::num::NonZeroU64::new(SLOT_BYTES),
        },
        count: None,
    }];
    for (i, a) in accesses.iter().enumerate() {
        entries.push(wgpu::BindGroupLayoutEntry {
            binding: i as u32 + 1,
            visibility: wgpu::ShaderStages::COMPUTE,
            ty: wgpu::BindingType::Buffer {
                ty: wgpu::BufferBindingType::Storage { read_only: *a == Access::Read },
                has_dynamic_offset: false,
                min_binding_size: None,
            },
            count: None,
        });
    }
    let l = ctx.device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor { label: None, entries: &entries });
    let id = cache.layouts.len();
    cache.layouts.insert(accesses.to_vec(), (id, l.clone()));
    (id, l)
}

/// The compiled pipeline for `key`, compiling (and caching) it on first use. A shader the
/// device rejects is a RuntimeError carrying the compiler's message.
pub(crate) fn compiled(ctx: &Context, key: &ShaderKey) -> Result<Arc<Compiled>> {
    if let Some(c) = ctx.cache.lock().pipelines.get(key) {
        return Ok(c.clone());
    }
    let (src, accesses) = shader_source(key)?;
    let invalid = ctx.device.push_error_scope(wgpu::ErrorFilter::Validation);
    let module = ctx.device.create_shader_module(wgpu::ShaderModuleDescriptor { label: Some(&key.name()), source: wgpu::ShaderSource::Wgsl(src.into()) });
    let mut cache = ctx.cache.lock();
    let (layout_id, layout) = layout_for(ctx, &mut cache, &accesses);
    let pl = ctx.device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor { label: None, bind_group_layouts: &[Some(&layout)], immediate_size: 0 });
    let pipeline = ctx.device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: Some(&key.name()),
        layout: Some(&pl),
        module: &module,
        entry_point: Some(key.entry),
        // Every kernel initialises the workgroup memory it reads.
        compilation_options: wgpu::PipelineCompilationOptions { zero_initialize_workgroup_memory: false, ..Default::default() },
        cache: None,
    });
    if let Some(e) = pollster::block_on(invalid.pop()) {
        return Err(Error::Runtime(format!("GPU shader {} failed to build: {}", key.name(), from_wgpu(e, "compiling"))));
    }
    let c = Arc::new(Compiled { pipeline, layout_id, layout, accesses });
    cache.pipelines.insert(key.clone(), c.clone());
    Ok(c)
}

/// Compiles `key` (and caches it), reporting whether the device accepts it.
pub fn compile_check(key: &ShaderKey) -> Result<()> {
    compiled(context()?, key).map(|_| ())
}

/// Workgroup counts for `groups` workgroups: past the per-dimension limit (65,535 on most
/// adapters) they wrap into the second dimension; shaders rebuild the flat index from both.
pub(crate) fn grid(ctx: &Context, groups: u64) -> Result<[u32; 3]> {
    let max = ctx.max_groups() as u64;
    let x = groups.min(max).max(1);
    let y = groups.div_ceil(x);
    if y > max {
        return Err(Error::Runtime(format!("GPU dispatch of {groups} workgroups is more than {max} x {max}")));
    }
    Ok([x as u32, y as u32, 1])
}

/// Records one dispatch of `key` over `groups` workgroups (wrapped by `grid`) with `args`
/// bound at 1.. and `meta` as its metadata. Nothing is recorded for zero workgroups.
pub fn run(key: &ShaderKey, args: &[Arg], meta: &Meta, groups: u64) -> Result<()> {
    if groups == 0 {
        return Ok(());
    }
    let ctx = context()?;
    run_grid(key, args, meta, grid(ctx, groups)?)
}

/// [`run`] with explicit workgroup counts per dimension (each within the adapter's limit).
pub fn run_grid(key: &ShaderKey, args: &[Arg], meta: &Meta, grid: [u32; 3]) -> Result<()> {
    let ctx = context()?;
    if grid.contains(&0) {
        return Ok(());
    }
    if grid.iter().any(|&g| g > ctx.max_groups()) {
        return Err(Error::Runtime(format!("GPU dispatch {grid:?} exceeds {} workgroups per dimension", ctx.max_groups())));
    }
    let kernel = compiled(ctx, key)?;
    let mut args: SmallVec<[Arg; 6]> = args.into();
    if kernel.accesses.last() == Some(&Access::Status) && args.len() + 1 == kernel.accesses.len() {
        args.push(Arg::Status);
    }
    if kernel.accesses.len() != args.len() {
        return Err(Error::Runtime(format!("GPU kernel {}: {} buffers given, {} bound", key.name(), args.len(), kernel.accesses.len())));
    }
    let mut stream = ctx.stream.lock();
    let group = {
        let ids: SmallVec<[u64; 6]> = args.iter().map(|a| match a { Arg::Buf(b) => b.id(), Arg::Status => 0 }).collect();
        let mut cache = ctx.cache.lock();
        let k = (kernel.layout_id, ids);
        match cache.groups.get(&k) {
            Some(g) => g.clone(),
            None => {
                let ring = stream.ring().clone();
                let status = stream.status.clone();
                let mut entries = vec![wgpu::BindGroupEntry {
                    binding: 0,
                    resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding { buffer: &ring, offset: 0, size: std::num::NonZeroU64::new(SLOT_BYTES) }),
                }];
                for (i, a) in args.iter().enumerate() {
                    let resource = match a {
                        Arg::Buf(b) => b.raw().as_entire_binding(),
                        Arg::Status => wgpu::BindingResource::Buffer(wgpu::BufferBinding { buffer: &status, offset: 0, size: std::num::NonZeroU64::new(STATUS_WORDS * 4) }),
                    };
                    entries.push(wgpu::BindGroupEntry { binding: i as u32 + 1, resource });
                }
                let invalid = ctx.device.push_error_scope(wgpu::ErrorFilter::Validation);
                let g = ctx.device.create_bind_group(&wgpu::BindGroupDescriptor { label: None, layout: &kernel.layout, entries: &entries });
                if let Some(e) = pollster::block_on(invalid.pop()) {
                    return Err(from_wgpu(e, &format!("binding buffers for {}", key.name())));
                }
                if cache.groups.len() >= MAX_GROUPS {
                    cache.groups.clear();
                }
                cache.groups.insert(k, g.clone());
                g
            }
        }
    };
    stream.dispatch(ctx, &kernel.pipeline, &group, meta.bytes(), grid)
}
