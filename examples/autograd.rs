//! The tutorial's autograd example from Rust: y = 2 * x·x, dy/dx = 4x.
use rgrad::{DType, Tensor};

fn main() -> rgrad::Result<()> {
    let x = Tensor::arange(0.0, 4.0, 1.0, DType::F32)?;
    x.set_requires_grad(true)?;
    println!("initial grad: {:?}", x.grad());
    let y = x.dot(&x)?.mul_scalar(2.0)?;
    y.backward()?;
    println!("grad after backward: {:?}", x.grad().unwrap().to_vec::<f32>()?);

    // detach: u is a constant, so d(u*x)/dx = u = x*x = 4 at x = 2
    let x = Tensor::from_slice(&[2.0f32], &[1])?;
    x.set_requires_grad(true)?;
    let y = x.mul(&x)?;
    let u = y.detach();
    let z = u.mul(&x)?;
    z.sum()?.backward()?;
    println!("detach example grad: {:?}", x.grad().unwrap().to_vec::<f32>()?);
    Ok(())
}
