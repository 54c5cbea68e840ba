//! `Tensor`s on `Device::Gpu(0)` through the public API (ops -> backend -> GPU arms), against
//! the same ops on the CPU: what a Rust user of the crate sees.

use super::util::gpu;
use rgrad::{DType, Device, Tensor};

const G: Device = Device::Gpu(0);

fn close(a: &Tensor, b: &Tensor, tol: f64) {
    let (a, b) = (a.to_device(Device::Cpu).unwrap().to_dtype(DType::F64).unwrap(), b.to_device(Device::Cpu).unwrap().to_dtype(DType::F64).unwrap());
    assert_eq!(a.shape(), b.shape());
    for (x, y) in a.contiguous().unwrap().to_vec::<f64>().unwrap().iter().zip(b.contiguous().unwrap().to_vec::<f64>().unwrap()) {
        assert!((x - y).abs() <= tol * (1.0 + y.abs()), "{x} vs {y}");
    }
}

#[test]
fn ops_and_backward_on_the_gpu_match_the_cpu() {
    let Some(_gpu) = gpu() else {
        return;
    };
    rgrad::backend::random::manual_seed(3);
    let x = Tensor::randn(&[5, 7], DType::F32).unwrap();
    let w = Tensor::randn(&[7, 3], DType::F32).unwrap();
    let (xg, wg) = (x.to_device(G).unwrap(), w.to_device(G).unwrap());
    assert_eq!(xg.device(), G);
    for t in [&x, &w, &xg, &wg] {
        t.set_requires_grad(true).unwrap();
    }
    let f = |x: &Tensor, w: &Tensor| x.matmul(w).unwrap().tanh().unwrap().softmax(1, None).unwrap().sum().unwrap();
    let (yc, yg) = (f(&x, &w), f(&xg, &wg));
    close(&yg, &yc, 1e-5);
    yc.backward().unwrap();
    yg.backward().unwrap();
    let (gx, gw) = (xg.grad().unwrap(), wg.grad().unwrap());
    assert_eq!((gx.device(), gw.device()), (G, G));
    close(&gx, &x.grad().unwrap(), 1e-4);
    close(&gw, &w.grad().unwrap(), 1e-4);
}

#[test]
fn views_reductions_and_indexing_on_the_gpu() {
    let Some(_gpu) = gpu() else {
        return;
    };
    let a = Tensor::arange(0.0, 24.0, 1.0, DType::F32).unwrap().reshape(&[4, 6]).unwrap();
    let g = a.to_device(G).unwrap();
    close(&g.transpose(0, 1).unwrap().contiguous().unwrap(), &a.transpose(0, 1).unwrap().contiguous().unwrap(), 0.0);
    close(&g.sum_dims(Some(&[1]), false, None).unwrap(), &a.sum_dims(Some(&[1]), false, None).unwrap(), 1e-6);
    let idx = Tensor::from_slice(&[3i64, 0, 2], &[3]).unwrap();
    close(&g.index_select(0, &idx.to_device(G).unwrap()).unwrap(), &a.index_select(0, &idx).unwrap(), 0.0);
    let bad = Tensor::from_slice(&[7i64], &[1]).unwrap().to_device(G).unwrap();
    assert!(g.index_select(0, &bad).is_err(), "an out-of-range index is an error on the GPU too");
    assert_eq!(g.sum().unwrap().item().unwrap().to_f64(), 276.0);
}
