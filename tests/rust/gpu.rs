//! GPU kernels against CPU references, on whatever adapter the machine has (lavapipe in CI).
//!
//! Each test starts with `gpu()`: with no usable adapter it prints why and returns, unless
//! RGRAD_REQUIRE_GPU is set (CI sets it, so there the tests must run).
//!
//! References: rgrad's CPU kernels (through `Tensor` ops) for exact integer / bit-level results,
//! and plain Rust float64 math rounded to the tested type for transcendentals. Tolerances are
//! stated where used, with the reason.

#![cfg(feature = "gpu")]

#[path = "gpu/util.rs"]
mod util;
use util::*;
#[path = "gpu/compute.rs"]
mod compute;
#[path = "gpu/elementwise.rs"]
mod elementwise;
#[path = "gpu/indexing.rs"]
mod indexing;
#[path = "gpu/tensors.rs"]
mod tensors;

use rgrad::gpu::kernels::map;
use rgrad::gpu::{self, GpuBuffer};
use rgrad::{DType, Layout, Scalar, Tensor};

#[test]
fn context_reports_adapter_and_limits() {
    let Some(_gpu) = gpu() else {
        return;
    };
    let name = gpu::device_name().unwrap();
    assert!(!name.is_empty());
    assert_eq!(gpu::device_count(), 1);
    println!("adapter: {name}");
}

#[test]
fn upload_readback_roundtrip_every_dtype() {
    let Some(_gpu) = gpu() else {
        return;
    };
    let f: Vec<f32> = vec![1.5, -2.0, f32::NAN, f32::INFINITY, -0.0];
    assert_bits_eq_f32(&read_f32(&up_f32(&f), &Layout::contiguous(&[5])), &f);
    let i: Vec<i64> = vec![i64::MIN, -1, 0, 1, i64::MAX];
    assert_eq!(read_vec::<i64>(&up(&i, DType::I64), &Layout::contiguous(&[5]), DType::I64), i);
    let b: Vec<bool> = vec![true, false, true, true, false, false, true];
    let bb = up(&b, DType::Bool);
    assert_eq!(bb.len_bytes(), 28, "bool is one u32 per element on the device");
    assert_eq!(read_vec::<bool>(&bb, &Layout::contiguous(&[7]), DType::Bool), b);
    if has_f64() {
        let d = vec![1e300, -5e-324, 0.1];
        assert_eq!(read_vec::<f64>(&up(&d, DType::F64), &Layout::contiguous(&[3]), DType::F64), d);
    }
    // A strided view reads back in row-major order.
    let x: Vec<i32> = (0..12).collect();
    let l = Layout::contiguous(&[3, 4]).transpose(0, 1).unwrap();
    assert_eq!(read_vec::<i32>(&up(&x, DType::I32), &l, DType::I32), vec![0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
    // Empty.
    assert!(read_vec::<f32>(&up_f32(&[]), &Layout::contiguous(&[0, 3]), DType::F32).is_empty());
}

#[test]
fn uploads_are_ordered_after_recorded_kernels() {
    // The trap in the issue: queue.write_buffer would land before the already-recorded fill.
    let Some(_gpu) = gpu() else {
        return;
    };
    let b = GpuBuffer::new(16).unwrap();
    let l = Layout::contiguous(&[4]);
    map::fill_value(&b, &l, DType::F32, Scalar::Float(7.0)).unwrap();
    gpu::write(&b, 1, bytemuck_f32(&[1.0, 2.0]), DType::F32).unwrap();
    assert_eq!(read_f32(&b, &l), vec![7.0, 1.0, 2.0, 7.0]);
}

#[test]
fn pool_reuses_buffers_and_counts() {
    let Some(_gpu) = gpu() else {
        return;
    };
    gpu::synchronize().unwrap();
    let before = gpu::memory_allocated();
    let b = GpuBuffer::new(1000).unwrap();
    let id = b.id();
    assert_eq!(b.capacity(), 1024);
    assert!(gpu::memory_allocated() >= before + 1024);
    drop(b);
    // Another allocation of the same class takes the pooled buffer back (other tests run in
    // parallel and may take it first, so look for it among a few).
    let again: Vec<GpuBuffer> = (0..8).map(|_| GpuBuffer::new(1000).unwrap()).collect();
    assert!(again.iter().any(|b| b.id() == id), "a freed buffer is reused");
    let z = GpuBuffer::zeroed(1000).unwrap();
    assert!(read_f32(&z, &Layout::contiguous(&[250])).iter().all(|&v| v == 0.0));
    let (up0, down0) = gpu::transfer_counts();
    let _ = read_f32(&z, &Layout::contiguous(&[1]));
    let (up1, down1) = gpu::transfer_counts();
    assert!(up1 >= up0 && down1 > down0);
}

#[test]
fn too_large_for_a_binding_is_a_clear_error() {
    let Some(_gpu) = gpu() else {
        return;
    };
    let ctx = gpu::context::context().unwrap();
    let limit = ctx.max_binding_bytes();
    let err = GpuBuffer::new(limit + 4).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains(&(limit + 4).to_string()) && msg.contains(&limit.to_string()), "{msg}");
}

#[test]
fn views_past_their_buffer_are_refused() {
    let Some(_gpu) = gpu() else {
        return;
    };
    let b = up_f32(&[1.0; 4]);
    let bad = Layout { shape: [8].as_slice().into(), strides: [1isize].as_slice().into(), offset: 0 };
    assert!(map::fill_value(&b, &bad, DType::F32, Scalar::Float(0.0)).is_err());
}

#[test]
fn fill_arange_linspace() {
    let Some(_gpu) = gpu() else {
        return;
    };
    for d in dtypes() {
        let b = GpuBuffer::new(64).unwrap();
        let l = Layout::contiguous(&[2, 3]);
        map::fill_value(&b, &l, d, Scalar::Int(3)).unwrap();
        let want = Tensor::full_on(&[2, 3], Scalar::Int(3), d, rgrad::Device::Cpu).unwrap();
        assert_same(&read_tensor(&b, &l, d), &want);
    }
    let b = GpuBuffer::new(4 * 10).unwrap();
    map::arange(&b, &Layout::contiguous(&[10]), DType::I32, Scalar::Int(-3), Scalar::Int(2)).unwrap();
    assert_eq!(read_vec::<i32>(&b, &Layout::contiguous(&[10]), DType::I32), (0..10).map(|i| -3 + 2 * i).collect::<Vec<_>>());
    map::linspace(&b, &Layout::contiguous(&[7]), DType::F32, -1.0, 2.0).unwrap();
    let want = Tensor::linspace(-1.0, 2.0, 7, DType::F32).unwrap().to_vec::<f32>().unwrap();
    let got = read_f32(&b, &Layout::contiguous(&[7]));
    for (g, w) in got.iter().zip(&want) {
        // Both ends exact; the middle within an ulp of rounding either way.
        assert!((g - w).abs() <= 2.0 * f32::EPSILON * w.abs().max(1.0), "{got:?} vs {want:?}");
    }
    assert_eq!((got[0], got[6]), (-1.0, 2.0));
    // A strided fill (every other element of a reversed view).
    let b = up_f32(&[0.0; 6]);
    let l = Layout { shape: [3].as_slice().into(), strides: [-2isize].as_slice().into(), offset: 5 };
    map::fill_value(&b, &l, DType::F32, Scalar::Float(9.0)).unwrap();
    assert_eq!(read_f32(&b, &Layout::contiguous(&[6])), vec![0.0, 9.0, 0.0, 9.0, 0.0, 9.0]);
}

#[test]
fn casts_between_every_dtype_pair() {
    let Some(_gpu) = gpu() else {
        return;
    };
    let src = Tensor::from_slice(&[0.0f64, -1.7, 2.5, 3e9, -3e9, f64::NAN, f64::INFINITY, 1.0, -0.0, 7.9], &[10]).unwrap();
    for s in dtypes() {
        let x = src.to_dtype(s).unwrap();
        let xb = upload_tensor(&x);
        for d in dtypes() {
            let out = GpuBuffer::new(80).unwrap();
            map::copy_cast(&xb, x.layout(), s, &out, &Layout::contiguous(&[10]), d).unwrap();
            let got = read_tensor(&out, &Layout::contiguous(&[10]), d);
            assert_same(&got, &x.to_dtype(d).unwrap());
        }
    }
}

#[test]
fn strided_negative_and_broadcast_copies() {
    let Some(_gpu) = gpu() else {
        return;
    };
    let x = Tensor::arange(0.0, 24.0, 1.0, DType::F32).unwrap().reshape(&[2, 3, 4]).unwrap();
    let xb = upload_tensor(&x);
    let views = [
        x.transpose(0, 2).unwrap(),
        Tensor::from_parts(x.storage().clone(), x.layout().slice(1, 2, 3, -1), DType::F32),
        x.select(1, 2).unwrap().unsqueeze(1).unwrap().expand(&[2, 5, 4]).unwrap(),
        x.narrow(2, 1, 2).unwrap().permute(&[2, 0, 1]).unwrap(),
    ];
    for v in views {
        let want = v.contiguous().unwrap();
        let out = GpuBuffer::new((v.numel() * 4) as u64).unwrap();
        let ol = Layout::contiguous(v.shape());
        map::copy_cast(&xb, v.layout(), DType::F32, &out, &ol, DType::F32).unwrap();
        assert_same(&read_tensor(&out, &ol, DType::F32), &want);
    }
}

#[test]
fn every_shader_variant_compiles() {
    let Some(_gpu) = gpu() else {
        return;
    };
    let ctx = gpu::context::context().unwrap();
    let keys = gpu::kernels::sample_keys();
    let mut failures = Vec::new();
    let mut compiled = 0;
    for k in &keys {
        // Variants this adapter cannot hold (float64 without SHADER_F64, 64-bit atomics) are
        // refused with an error at dispatch; compile only what it can run.
        let uses_f64 = k.dtypes.contains(&DType::F64);
        if uses_f64 && !ctx.has_f64() {
            continue;
        }
        let src = gpu::shader_source(k).unwrap().0;
        if src.contains("atomic<u64>") && !ctx.has_atomic64() {
            continue;
        }
        match gpu::pipeline::compile_check(k) {
            Ok(()) => compiled += 1,
            Err(e) => failures.push(format!("{}: {e}", k.name())),
        }
    }
    // Every file in shaders/ is part of some variant.
    for f in gpu::source::ALL_FILES {
        let marker = format!("// shaders/{}", f.name);
        assert!(keys.iter().any(|k| gpu::shader_source(k).unwrap().0.contains(&marker)), "{} is used by no variant", f.name);
    }
    println!("{compiled} shader variants compiled");
    assert!(failures.is_empty(), "{} of {} failed:\n{}", failures.len(), keys.len(), failures.join("\n\n"));
}
