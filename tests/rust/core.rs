//! Rust-side tests of the core: layouts, strided iteration, kernels and autograd,
//! without Python.

use rgrad::autograd::{self, gradcheck::gradcheck};
use rgrad::{DType, Device, Error, Scalar, Tensor};

fn t(v: &[f64], shape: &[usize]) -> Tensor {
    Tensor::from_slice(v, shape).unwrap()
}

#[test]
fn creation_and_values() {
    let a = Tensor::arange(0.0, 6.0, 1.0, DType::F32).unwrap().reshape(&[2, 3]).unwrap();
    assert_eq!(a.shape(), &[2, 3]);
    assert_eq!(a.to_vec::<f32>().unwrap(), vec![0., 1., 2., 3., 4., 5.]);
    assert_eq!(Tensor::eye(2, 2, DType::I64).unwrap().to_vec::<i64>().unwrap(), vec![1, 0, 0, 1]);
    assert_eq!(Tensor::full_on(&[2], Scalar::Float(2.5), DType::F64, Device::Cpu).unwrap().to_vec::<f64>().unwrap(), vec![2.5, 2.5]);
    assert_eq!(Tensor::linspace(0.0, 1.0, 3, DType::F64).unwrap().to_vec::<f64>().unwrap(), vec![0.0, 0.5, 1.0]);
}

#[test]
fn views_share_storage_and_strided_kernels_agree() {
    let a = t(&[1., 2., 3., 4., 5., 6.], &[2, 3]);
    let tr = a.transpose(0, 1).unwrap();
    assert_eq!(tr.strides(), &[1, 3]);
    // a strided input through the elementwise kernel
    let s = tr.add(&tr).unwrap();
    assert_eq!(s.to_vec::<f64>().unwrap(), vec![2., 8., 4., 10., 6., 12.]);
    // broadcast (stride 0) input
    let row = t(&[10., 20., 30.], &[3]);
    assert_eq!(a.add(&row).unwrap().to_vec::<f64>().unwrap(), vec![11., 22., 33., 14., 25., 36.]);
    // writes through a view are seen by the base
    let v = a.select(0, 1).unwrap();
    v.add_(&Tensor::wrapped_scalar(Scalar::Float(1.0))).unwrap();
    assert_eq!(a.to_vec::<f64>().unwrap(), vec![1., 2., 3., 5., 6., 7.]);
    // view after transpose is refused, reshape copies
    assert!(matches!(tr.view(&[-1]), Err(Error::Runtime(_))));
    assert_eq!(tr.reshape(&[-1]).unwrap().to_vec::<f64>().unwrap(), vec![1., 5., 2., 6., 3., 7.]);
}

#[test]
fn large_parallel_kernels_and_exact_sums() {
    let n = 10_000_000;
    let ones = Tensor::ones_on(&[n], DType::F32, Device::Cpu).unwrap();
    assert_eq!(ones.sum().unwrap().to_vec::<f32>().unwrap(), vec![1e7]);
    let m = Tensor::ones_on(&[1000, 3000], DType::F64, Device::Cpu).unwrap();
    let cols = m.sum_dims(Some(&[0]), false, None).unwrap();
    assert!(cols.to_vec::<f64>().unwrap().iter().all(|&x| x == 1000.0));
    let rows = m.transpose(0, 1).unwrap().sum_dims(Some(&[1]), true, None).unwrap();
    assert_eq!(rows.shape(), &[3000, 1]);
    assert!(rows.to_vec::<f64>().unwrap().iter().all(|&x| x == 1000.0));
}

#[test]
fn autograd_tutorial_and_errors() {
    let x = Tensor::arange(0.0, 4.0, 1.0, DType::F32).unwrap();
    x.set_requires_grad(true).unwrap();
    x.dot(&x).unwrap().mul_scalar(2.0).unwrap().backward().unwrap();
    assert_eq!(x.grad().unwrap().to_vec::<f32>().unwrap(), vec![0., 4., 8., 12.]);

    // second backward through saved tensors fails like PyTorch
    let y = x.mul(&x).unwrap().sum().unwrap();
    y.backward().unwrap();
    assert!(matches!(y.backward(), Err(Error::Runtime(m)) if m.contains("second time")));

    // in-place on a leaf that requires grad
    assert!(x.add_(&Tensor::wrapped_scalar(Scalar::Int(1))).is_err());
    autograd::no_grad(|| x.add_(&Tensor::wrapped_scalar(Scalar::Int(1)))).unwrap();
}

#[test]
fn gradcheck_core_ops() {
    let a = Tensor::randn(&[3, 4], DType::F64).unwrap();
    let b = Tensor::randn(&[4], DType::F64).unwrap().abs().unwrap().add_scalar(0.5).unwrap();
    a.set_requires_grad(true).unwrap();
    b.set_requires_grad(true).unwrap();
    let f = |xs: &[Tensor]| -> rgrad::Result<Vec<Tensor>> {
        let (a, b) = (&xs[0], &xs[1]);
        Ok(vec![a.mul(b)?.div(&b.pow_scalar(2.0)?)?.exp()?.sub(&a.transpose(0, 1)?.sum_dims(Some(&[1]), false, None)?.sum()?)?])
    };
    assert!(gradcheck(&f, &[a, b], 1e-6, 1e-5, 1e-3).unwrap());
}

#[test]
fn higher_order_and_million_op_chain() {
    let x = Tensor::from_slice(&[2.0f64], &[1]).unwrap();
    x.set_requires_grad(true).unwrap();
    let y = x.pow_scalar(3.0).unwrap().sum().unwrap();
    let g = autograd::grad(&[y], std::slice::from_ref(&x), vec![None], None, true, false).unwrap();
    let g = g[0].clone().unwrap();
    assert_eq!(g.to_vec::<f64>().unwrap(), vec![12.0]);
    let g2 = autograd::grad(&[g.sum().unwrap()], std::slice::from_ref(&x), vec![None], None, false, false).unwrap();
    assert_eq!(g2[0].as_ref().unwrap().to_vec::<f64>().unwrap(), vec![12.0]);

    let mut z = x.clone();
    for _ in 0..1_000_000 {
        z = z.add_scalar(1.0).unwrap();
    }
    z.sum().unwrap().backward().unwrap();
    drop(z); // iterative teardown
}

#[test]
fn errors_name_the_problem() {
    let a = Tensor::zeros_on(&[2, 3], DType::F32, Device::Cpu).unwrap();
    let b = Tensor::zeros_on(&[4], DType::F32, Device::Cpu).unwrap();
    match a.add(&b) {
        Err(Error::Runtime(m)) => assert!(m.contains("[2, 3]") && m.contains("[4]")),
        other => panic!("unexpected {other:?}"),
    }
    assert!(matches!(a.transpose(0, 5), Err(Error::Index(_))));
    assert!(matches!(a.select(1, 3), Err(Error::Index(m)) if m.contains("size 3")));
    assert!(matches!(Tensor::arange(0.0, 1.0, 0.0, DType::F32), Err(Error::Value(_))));
}
