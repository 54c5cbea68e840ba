//! The command stream: every dispatch, copy, clear and upload is recorded, in call order, into one
//! command encoder, which is submitted when the host needs a result (readback, `synchronize`) or
//! when the metadata ring is full (every [`RING_SLOTS`] dispatches).
//!
//! Two ordering rules make this correct:
//! - Uploads are recorded as copies from a freshly mapped staging buffer, in the stream, not with
//!   `queue.write_buffer`: that lands at the start of the next submission, ahead of commands
//!   recorded before it (an upload into a reused buffer would overwrite data a queued kernel has
//!   yet to read).
//! - The metadata ring is the one thing written with `queue.write_buffer`, right before its
//!   submission, and only slots used by that submission: there "ahead of everything recorded" is
//!   exactly what is wanted, and submissions run in order, so the previous batch is done with the
//!   ring before the write lands.
//!
//! Kernels that can fail on the device (integer division by zero, an index out of range) record
//! the first failure in a small status buffer; each readback copies it too and turns it into an
//! [`Error`], as CUDA reports device-side asserts at the next synchronisation.

use super::context::{from_wgpu, Context};
use super::meta::META_WORDS;
use crate::error::{Error, Result};
use std::sync::atomic::Ordering;

/// Dispatches per submission (and slots in the uniform ring).
pub const RING_SLOTS: u32 = 256;
/// Bytes per ring slot.
pub const SLOT_BYTES: u64 = (META_WORDS * 4) as u64;
/// Words in the status buffer: [code, value lo, value hi, size, dim, 0, 0, 0].
pub const STATUS_WORDS: u64 = 8;

/// Status codes a kernel writes (first failure wins, by compare-exchange from 0).
pub mod status {
    /// Integer division or remainder by zero.
    pub const ZERO_DIVISION: u32 = 1;
    /// An index outside its dim: value (i64 as two words), dim size, dim.
    pub const INDEX: u32 = 2;
}

pub(crate) struct Stream {
    encoder: Option<wgpu::CommandEncoder>,
    pass: Option<wgpu::ComputePass<'static>>,
    ring: wgpu::Buffer,
    ring_data: Vec<u8>,
    pub(crate) status: wgpu::Buffer,
    last: Option<wgpu::SubmissionIndex>,
}

impl Stream {
    pub(crate) fn new(device: &wgpu::Device) -> Stream {
        let ring = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("rgrad metadata ring"),
            size: RING_SLOTS as u64 * SLOT_BYTES,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let status = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("rgrad status"),
            size: STATUS_WORDS * 4,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        Stream { encoder: None, pass: None, ring, ring_data: Vec::with_capacity((RING_SLOTS as u64 * SLOT_BYTES) as usize), status, last: None }
    }

    pub(crate) fn ring(&self) -> &wgpu::Buffer {
        &self.ring
    }

    fn encoder(&mut self, ctx: &Context) -> &mut wgpu::CommandEncoder {
        self.end_pass();
        self.encoder.get_or_insert_with(|| ctx.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("rgrad stream") }))
    }

    fn end_pass(&mut self) {
        self.pass = None;
    }

    /// Records one dispatch: its metadata goes into the next ring slot (submitting first when the
    /// ring is full), then pipeline, bind group (at that slot's offset) and workgroup counts.
    pub(crate) fn dispatch(&mut self, ctx: &Context, pipeline: &wgpu::ComputePipeline, group: &wgpu::BindGroup, meta: &[u8], grid: [u32; 3]) -> Result<()> {
        if self.ring_data.len() as u64 >= RING_SLOTS as u64 * SLOT_BYTES {
            self.submit(ctx)?;
        }
        let offset = self.ring_data.len() as u32;
        self.ring_data.extend_from_slice(meta);
        self.ring_data.resize(offset as usize + SLOT_BYTES as usize, 0);
        if self.pass.is_none() {
            let enc = self.encoder(ctx);
            let pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor { label: None, timestamp_writes: None });
            self.pass = Some(pass.forget_lifetime());
        }
        let pass = self.pass.as_mut().expect("pass opened above");
        pass.set_pipeline(pipeline);
        pass.set_bind_group(0, group, &[offset]);
        pass.dispatch_workgroups(grid[0], grid[1], grid[2]);
        Ok(())
    }

    /// Records a buffer-to-buffer copy (sizes and offsets multiples of 4).
    pub(crate) fn copy(&mut self, ctx: &Context, src: &wgpu::Buffer, src_off: u64, dst: &wgpu::Buffer, dst_off: u64, size: u64) {
        if size > 0 {
            self.encoder(ctx).copy_buffer_to_buffer(src, src_off, dst, dst_off, size);
        }
    }

    /// Records zeroing `size` bytes at `offset` (multiples of 4).
    pub(crate) fn clear(&mut self, ctx: &Context, buf: &wgpu::Buffer, offset: u64, size: u64) {
        if size > 0 {
            self.encoder(ctx).clear_buffer(buf, offset, Some(size));
        }
    }

    /// Records an upload of `data` into `dst` at `dst_off`, through a staging buffer copied in
    /// stream order (see the module notes). `data.len()` must be a multiple of 4.
    pub(crate) fn upload(&mut self, ctx: &Context, dst: &wgpu::Buffer, dst_off: u64, data: &[u8]) -> Result<()> {
        if data.is_empty() {
            return Ok(());
        }
        let scope = ctx.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let staging = ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("rgrad upload"),
            size: data.len() as u64,
            usage: wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::MAP_WRITE,
            mapped_at_creation: true,
        });
        if let Some(e) = pollster::block_on(scope.pop()) {
            return Err(from_wgpu(e, &format!("staging an upload of {} bytes", data.len())));
        }
        staging
            .slice(..)
            .get_mapped_range_mut()
            .map_err(|e| Error::Runtime(format!("GPU error: mapping an upload buffer failed: {e:?}")))?
            .copy_from_slice(data);
        staging.unmap();
        self.copy(ctx, &staging, 0, dst, dst_off, data.len() as u64);
        ctx.counters.uploads.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Submits everything recorded so far (without waiting for it to run).
    pub(crate) fn submit(&mut self, ctx: &Context) -> Result<()> {
        self.end_pass();
        let Some(enc) = self.encoder.take() else {
            return ctx.errors.take();
        };
        let invalid = ctx.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let oom = ctx.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        if !self.ring_data.is_empty() {
            ctx.queue.write_buffer(&self.ring, 0, &self.ring_data);
            self.ring_data.clear();
        }
        let cmd = enc.finish();
        self.last = Some(ctx.queue.submit([cmd]));
        let out = pollster::block_on(oom.pop());
        let bad = pollster::block_on(invalid.pop());
        if let Some(e) = out.or(bad) {
            return Err(from_wgpu(e, "running GPU commands"));
        }
        ctx.errors.take()
    }

    /// Submits and blocks until the device has finished everything submitted.
    pub(crate) fn wait(&mut self, ctx: &Context) -> Result<()> {
        self.submit(ctx)?;
        if let Some(idx) = self.last.take() {
            ctx.device
                .poll(wgpu::PollType::Wait { submission_index: Some(idx), timeout: None })
                .map_err(|e| Error::Runtime(format!("GPU error while waiting for the device: {e}")))?;
        }
        ctx.errors.take()
    }

    /// Copies `size` bytes at `offset` of `src` to the host (with the status words), waits, and
    /// returns them; a failure a kernel recorded since the last check becomes the `Err`.
    pub(crate) fn read(&mut self, ctx: &Context, src: &wgpu::Buffer, offset: u64, size: u64) -> Result<Vec<u8>> {
        let (bytes, words) = self.read_with_status(ctx, src, offset, size)?;
        if words[0] != 0 {
            return Err(status_error(&words));
        }
        Ok(bytes)
    }

    /// [`Stream::read`] that hands back the status words (cleared on the device once read)
    /// instead of turning a recorded failure into an `Err`.
    fn read_with_status(&mut self, ctx: &Context, src: &wgpu::Buffer, offset: u64, size: u64) -> Result<(Vec<u8>, Vec<u32>)> {
        let padded = size.div_ceil(4) * 4;
        let total = padded + STATUS_WORDS * 4;
        let scope = ctx.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let staging = ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("rgrad readback"),
            size: total,
            usage: wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::MAP_READ,
            mapped_at_creation: false,
        });
        if let Some(e) = pollster::block_on(scope.pop()) {
            return Err(from_wgpu(e, &format!("staging a readback of {size} bytes")));
        }
        let status = self.status.clone();
        self.copy(ctx, src, offset, &staging, 0, padded);
        self.copy(ctx, &status, 0, &staging, padded, STATUS_WORDS * 4);
        self.wait(ctx)?;
        let (tx, rx) = std::sync::mpsc::channel();
        staging.slice(..).map_async(wgpu::MapMode::Read, move |r| {
            let _ = tx.send(r);
        });
        ctx.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| Error::Runtime(format!("GPU error while waiting for a readback: {e}")))?;
        match rx.recv() {
            Ok(Ok(())) => {}
            _ => return Err(Error::Runtime("GPU error: mapping a readback buffer failed".into())),
        }
        let (bytes, words) = {
            let view = staging.slice(..).get_mapped_range().map_err(|e| Error::Runtime(format!("GPU error: reading a mapped buffer failed: {e:?}")))?;
            let words: Vec<u32> = bytemuck::pod_collect_to_vec(&view[padded as usize..]);
            (view[..size as usize].to_vec(), words)
        };
        staging.unmap();
        if size > 0 {
            ctx.counters.downloads.fetch_add(1, Ordering::Relaxed);
        }
        if words[0] != 0 {
            let st = self.status.clone();
            self.clear(ctx, &st, 0, STATUS_WORDS * 4);
        }
        Ok((bytes, words))
    }

    /// Waits for the recorded kernels and returns the out-of-range index one of them recorded
    /// (clearing the record), so the op that ran them can raise its own error; any other
    /// recorded failure is the `Err`.
    pub(crate) fn take_index_error(&mut self, ctx: &Context) -> Result<Option<i64>> {
        let st = self.status.clone();
        let (_, w) = self.read_with_status(ctx, &st, 0, 0)?;
        match w[0] {
            0 => Ok(None),
            status::INDEX => Ok(Some((w[1] as u64 | ((w[2] as u64) << 32)) as i64)),
            _ => Err(status_error(&w)),
        }
    }

    /// Checks the status words alone (a 32-byte readback), e.g. after an indexing kernel whose
    /// caller wants its error now rather than at the next synchronisation.
    pub(crate) fn check_status(&mut self, ctx: &Context) -> Result<()> {
        let st = self.status.clone();
        self.read(ctx, &st, 0, 0).map(|_| ())
    }
}

/// The error a status record stands for (PyTorch's messages, noting that an earlier GPU kernel
/// found it, since it surfaces at a synchronisation point).
fn status_error(w: &[u32]) -> Error {
    match w[0] {
        status::ZERO_DIVISION => Error::Runtime("ZeroDivisionError (integer division by zero in a GPU kernel)".into()),
        status::INDEX => {
            let v = (w[1] as u64 | ((w[2] as u64) << 32)) as i64;
            Error::Index(format!("index {v} is out of bounds for dimension {} with size {} (found by a GPU kernel)", w[4], w[3]))
        }
        c => Error::Runtime(format!("GPU kernel reported failure code {c}")),
    }
}
