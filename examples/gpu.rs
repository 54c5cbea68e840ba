//! rgrad on the GPU from Rust: a small regression fitted by gradient descent with every tensor
//! on `Device::Gpu(0)` (wgpu: Vulkan, Metal or DX12; lavapipe where there is no GPU), then the
//! result read back. Run with `cargo run --release --example gpu`.
use rgrad::{DType, Device, Tensor};

fn main() -> rgrad::Result<()> {
    if let Err(why) = rgrad::gpu::availability() {
        println!("no GPU is usable here ({why}); on Debian/Ubuntu `apt-get install mesa-vulkan-drivers libvulkan1` gives lavapipe");
        return Ok(());
    }
    println!("GPU: {}", rgrad::gpu::device_name()?);
    let gpu = Device::Gpu(0);

    // y = x @ w_true + noise, with x and w_true made on the GPU
    rgrad::backend::random::manual_seed(0);
    let x = Tensor::randn_on(&[256, 4], DType::F32, gpu)?;
    let w_true = Tensor::from_slice(&[1.5f32, -2.0, 0.5, 3.0], &[4, 1])?.to_device(gpu)?;
    let y = x.matmul(&w_true)?;

    let w = Tensor::zeros_on(&[4, 1], DType::F32, gpu)?;
    w.set_requires_grad(true)?;
    for step in 0..200 {
        let err = x.matmul(&w)?.sub(&y)?;
        let loss = err.mul(&err)?.mean()?;
        loss.backward()?;
        let g = w.grad().expect("w has a gradient after backward");
        // the update is not part of the graph
        rgrad::autograd::no_grad(|| w.sub_(&g.mul_scalar(0.1)?))?;
        w.set_grad(None)?;
        if step % 50 == 0 {
            println!("step {step:3}: loss {:.6}", loss.item()?.to_f64());
        }
    }
    let fitted = w.detach().to_device(Device::Cpu)?.to_vec::<f32>()?;
    println!("fitted w = {fitted:?} (true [1.5, -2.0, 0.5, 3.0]); gradients stayed on {}", w.device());
    let (up, down) = rgrad::gpu::transfer_counts();
    println!("host<->device copies: {up} uploads, {down} downloads");
    Ok(())
}
