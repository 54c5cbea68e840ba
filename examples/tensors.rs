//! A tour of rgrad's tensors from Rust, in the order of the tutorial's NumPy tables: making
//! tensors, their attributes, arithmetic with broadcasting, reductions, views, joining and
//! conversion. `cargo run --release --example tensors` prints each step.
use rgrad::ops::join::{cat, stack};
use rgrad::{DType, Device, Tensor};

fn main() -> rgrad::Result<()> {
    // Creation: the plain forms make CPU tensors, the `_on` forms take a device.
    let a = Tensor::from_slice(&[1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3])?;
    let zeros = Tensor::zeros(&[2, 3], DType::F32)?;
    let ones = Tensor::ones_on(&[3], DType::F32, Device::Cpu)?;
    let r = Tensor::arange(0.0, 6.0, 1.0, DType::F64)?;
    println!("a = {:?}, shape {:?}, dtype {:?}", a.to_vec::<f32>()?, a.shape(), a.dtype());
    println!("zeros: {:?}; arange: {:?}", zeros.to_vec::<f32>()?, r.to_vec::<f64>()?);

    // Arithmetic broadcasts as NumPy does: (2, 3) + (3,) adds the row to each row.
    let b = a.add(&ones)?.mul_scalar(2.0)?;
    println!("(a + 1) * 2 = {:?}", b.to_vec::<f32>()?);
    println!("a @ a.T = {:?}", a.matmul(&a.t()?)?.to_vec::<f32>()?);

    // Reductions: over everything, or along a dim.
    println!("sum = {:?}, column sums = {:?}", a.sum()?.item()?, a.sum_dims(Some(&[0]), false, None)?.to_vec::<f32>()?);
    println!("row max = {:?}", a.amax(Some(&[1]), false)?.to_vec::<f32>()?);

    // Views share storage: transpose, narrow and reshape of a contiguous tensor copy nothing.
    let at = a.t()?;
    println!("a.T contiguous? {}  a.T = {:?}", at.is_contiguous(), at.contiguous()?.to_vec::<f32>()?);
    println!("a[:, 1:] = {:?}", a.narrow(1, 1, 2)?.contiguous()?.to_vec::<f32>()?);
    println!("a.reshape(3, 2) shape {:?}", a.reshape(&[3, -1])?.shape());

    // Joining: cat along an existing dim, stack along a new one.
    println!("cat(a, a, dim=0) shape {:?}", cat(&[a.clone(), a.clone()], 0)?.shape());
    println!("stack(a, a) shape {:?}", stack(&[a.clone(), a.clone()], 0)?.shape());

    // Conversion: casts make a new tensor of the other dtype.
    println!("a as int64 = {:?}", a.to_dtype(DType::I64)?.to_vec::<i64>()?);

    // Bad input is an error, never a panic: (2, 3) and (2,) do not broadcast.
    let err = a.add(&Tensor::zeros(&[2], DType::F32)?).unwrap_err();
    println!("a + zeros(2) -> {err}");
    Ok(())
}
