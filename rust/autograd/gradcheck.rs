//! Finite-difference gradient checking: compares the Jacobian autograd computes
//! with central differences, element by element (use float64 inputs).

use crate::autograd::engine;
use crate::dtype::Scalar;
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::tensor::Tensor;

/// Adds `delta` to row-major element `i` of the float tensor `t` (through its strides, so every
/// view of the storage sees it); returns the old value.
fn poke(t: &Tensor, i: usize, delta: f64) -> Result<f64> {
    if !t.dtype().is_float() {
        return Ok(0.0);
    }
    let mut rem = i;
    let mut off = t.storage_offset() as isize;
    for d in (0..t.rank()).rev() {
        let s = t.shape()[d];
        off += (rem % s) as isize * t.strides()[d];
        rem /= s;
    }
    // the one element as a 0-d tensor over the same storage (no graph, no view link)
    let element = Tensor::from_parts(t.storage().clone(), Layout { shape: Default::default(), strides: Default::default(), offset: off as usize }, t.dtype());
    let old = element.item()?.to_f64();
    element.fill_raw(Scalar::Float(old + delta))?;
    Ok(old)
}

fn flat_outputs(outs: &[Tensor]) -> Result<Vec<f64>> {
    let mut v = Vec::new();
    for o in outs {
        v.extend(o.to_vec::<f64>()?);
    }
    Ok(v)
}

/// Checks `f`'s analytical gradients against central differences.
/// Returns Ok(true) or an Err naming the input, output and element that differ.
pub fn gradcheck(f: &dyn Fn(&[Tensor]) -> Result<Vec<Tensor>>, inputs: &[Tensor], eps: f64, atol: f64, rtol: f64) -> Result<bool> {
    let outs = f(inputs)?;
    let out_sizes: Vec<usize> = outs.iter().map(|o| o.numel()).collect();
    let total_out: usize = out_sizes.iter().sum();
    for (ii, x) in inputs.iter().enumerate() {
        if !x.requires_grad() {
            continue;
        }
        if !x.dtype().is_float() {
            return Err(Error::Runtime(format!("gradcheck: input {ii} requires grad but is not floating point")));
        }
        let n = x.numel();
        // numerical Jacobian: num[j][k] = d out_k / d x_j
        let mut num = vec![vec![0.0; total_out]; n];
        // evaluated with grad mode as the caller has it (like PyTorch), so a function that
        // itself calls autograd (a first derivative, for a second-order check) works
        for (j, num_j) in num.iter_mut().enumerate() {
            let plus = (|| {
                poke(x, j, eps)?;
                let r = f(inputs).and_then(|o| flat_outputs(&o));
                poke(x, j, -eps)?;
                r
            })()?;
            let minus = (|| {
                poke(x, j, -eps)?;
                let r = f(inputs).and_then(|o| flat_outputs(&o));
                poke(x, j, eps)?;
                r
            })()?;
            for (d, (p, m)) in num_j.iter_mut().zip(plus.iter().zip(&minus)) {
                *d = (p - m) / (2.0 * eps);
            }
        }
        // analytical Jacobian, one backward per output element
        let mut k_global = 0;
        for (oi, o) in outs.iter().enumerate() {
            for k in 0..out_sizes[oi] {
                let ana = if o.requires_grad() {
                    let mut onehot = vec![0.0f64; o.numel()];
                    onehot[k] = 1.0;
                    let go = Tensor::from_slice_on(&onehot, o.shape(), o.device())?.to_dtype(o.dtype())?;
                    let g = engine::grad(std::slice::from_ref(o), std::slice::from_ref(x), vec![Some(go)], Some(true), false, true)?;
                    match &g[0] {
                        Some(g) => g.to_vec::<f64>()?,
                        None => vec![0.0; n],
                    }
                } else {
                    vec![0.0; n]
                };
                for j in 0..n {
                    let (a, nu) = (ana[j], num[j][k_global]);
                    if (a - nu).abs() > atol + rtol * nu.abs() || a.is_nan() != nu.is_nan() {
                        return Err(Error::Runtime(format!(
                            "Jacobian mismatch for output {oi} with respect to input {ii},\nnumerical:{nu}\nanalytical:{a}\n(at input element {j}, output element {k})"
                        )));
                    }
                }
                k_global += 1;
            }
        }
    }
    Ok(true)
}
