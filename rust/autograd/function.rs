//! Custom autograd functions (`rgrad.autograd.Function`): outputs computed by user code
//! whose backward is user code too.
//!
//! One output: a single node, as for a built-in op. Several differentiable outputs: the
//! engine's nodes have one output each, so the function's backward runs in a *hub* node
//! whose one "output" is all the outputs' gradients packed end to end (a 1-D tensor), and
//! each output gets a small node that places its gradient into that packing. The engine
//! adds the pieces up at the hub (recorded first, so it runs after all of them) and the
//! user's backward is called once with every output's gradient, zeros where none arrived.

use super::node::{Edge, Node, SavedTensor};
use super::is_grad_enabled;
use crate::dtype::DType;
use crate::error::Result;
use crate::tensor::Tensor;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock, Weak};

/// The user's backward: `(saved tensors, one gradient per output) -> one per input`.
pub type CustomBackward = Arc<dyn Fn(&[Tensor], &[Tensor]) -> Result<Vec<Option<Tensor>>> + Send + Sync>;

/// A node name that lives as long as the program (names of user classes are made once).
pub fn static_name(name: &str) -> &'static str {
    static NAMES: OnceLock<Mutex<HashMap<String, &'static str>>> = OnceLock::new();
    let mut names = NAMES.get_or_init(|| Mutex::new(HashMap::new())).lock();
    if let Some(n) = names.get(name) {
        return n;
    }
    let leaked: &'static str = Box::leak(name.to_string().into_boxed_str());
    names.insert(name.to_string(), leaked);
    leaked
}

/// Records `outputs = f(inputs)` for a custom function. `differentiable[i]` says whether
/// output i carries a gradient (the others get none and are left as they are); `saved` are
/// the tensors the backward receives (version-checked, freed after a backward without
/// `retain_graph`). The outputs must be fresh tensors with no history.
///
/// A saved tensor that is one of the outputs (`saved_output[j] = Some(i)`) is kept without
/// its graph node (the node would otherwise keep itself alive through it); when a backward
/// runs with a graph of its own (`create_graph=True`), it gets the output back attached to
/// that output's node, so that second derivatives flow through it, as in PyTorch.
pub fn record_custom(name: &'static str, inputs: &[&Tensor], outputs: &[Tensor], differentiable: &[bool], saved: Vec<Tensor>, saved_output: Vec<Option<usize>>, backward: CustomBackward) -> Result<()> {
    let diff: Vec<usize> = (0..outputs.len()).filter(|&i| differentiable[i]).collect();
    if diff.is_empty() {
        return Ok(());
    }
    // every output's shape, dtype and device, for the zero gradients of outputs that got none
    let metas: Vec<(Vec<usize>, DType, crate::Device)> = outputs.iter().map(|o| (o.shape().to_vec(), o.dtype(), o.device())).collect();
    let zeros_for = {
        let metas = metas.clone();
        move |i: usize| Tensor::zeros_on(&metas[i].0, metas[i].1, metas[i].2)
    };
    // each output's node, once made (held weakly: the nodes own their closures, not the reverse)
    let out_nodes: Arc<Vec<OnceLock<Weak<Node>>>> = Arc::new((0..outputs.len()).map(|_| OnceLock::new()).collect());
    let rebuild = {
        let out_nodes = out_nodes.clone();
        move |s: &[Tensor]| -> Vec<Tensor> {
            if !is_grad_enabled() {
                return s.to_vec();
            }
            s.iter()
                .enumerate()
                .map(|(j, t)| match saved_output.get(j).copied().flatten().and_then(|i| out_nodes[i].get()).and_then(Weak::upgrade) {
                    Some(node) => {
                        let h = t.detach();
                        h.set_grad_fn(Some(node));
                        h
                    }
                    None => t.clone(),
                })
                .collect()
        }
    };
    let next: Vec<Edge> = inputs.iter().map(|t| Edge { node: t.grad_edge(), shape: t.shape().into(), dtype: t.dtype() }).collect();
    let saved: Vec<SavedTensor> = saved.into_iter().map(|t| SavedTensor { version: t.version(), tensor: t, is_output: false }).collect();
    let n = outputs.len();
    if diff.len() == 1 {
        let k = diff[0];
        let node = Arc::new(Node::new_op(
            name,
            next,
            saved,
            Box::new(move |s, g| {
                let grads: Vec<Tensor> = (0..n).map(|i| if i == k { Ok(g.clone()) } else { zeros_for(i) }).collect::<Result<_>>()?;
                backward(&rebuild(s), &grads)
            }),
        ));
        let _ = out_nodes[k].set(Arc::downgrade(&node));
        outputs[k].set_grad_fn(Some(node));
        return Ok(());
    }
    // several outputs: the hub, then one placing node per differentiable output
    let pack = if diff.iter().all(|&i| metas[i].1 == metas[diff[0]].1) { metas[diff[0]].1 } else { DType::F64 };
    let sizes: Vec<usize> = diff.iter().map(|&i| outputs[i].numel()).collect();
    let total: usize = sizes.iter().sum();
    let offsets: Vec<usize> = sizes
        .iter()
        .scan(0, |acc, &s| {
            let o = *acc;
            *acc += s;
            Some(o)
        })
        .collect();
    let (diff_h, sizes_h, offsets_h, metas_h) = (diff.clone(), sizes.clone(), offsets.clone(), metas.clone());
    let device = outputs[diff[0]].device();
    let hub = Arc::new(Node::new_op(
        name,
        next,
        saved,
        Box::new(move |s, packed| {
            let mut grads: Vec<Option<Tensor>> = vec![None; n];
            for (j, &i) in diff_h.iter().enumerate() {
                let piece = packed.narrow(0, offsets_h[j] as isize, sizes_h[j] as isize)?.reshape_to(&metas_h[i].0)?;
                grads[i] = Some(if piece.dtype() != metas_h[i].1 { piece.to_dtype(metas_h[i].1)? } else { piece });
            }
            let grads: Vec<Tensor> = grads.into_iter().enumerate().map(|(i, g)| g.map(Ok).unwrap_or_else(|| zeros_for(i))).collect::<Result<_>>()?;
            backward(&rebuild(s), &grads)
        }),
    ));
    for (j, &i) in diff.iter().enumerate() {
        let (off, size) = (offsets[j], sizes[j]);
        let edge = Edge { node: Some(hub.clone()), shape: [total].as_slice().into(), dtype: pack };
        let place = Arc::new(Node::new_op(
            name,
            vec![edge],
            vec![],
            Box::new(move |_, g| {
                // [zeros(off), g, zeros(rest)]: differentiable, for create_graph
                let flat = g.reshape_to(&[size])?;
                let flat = if flat.dtype() != pack { flat.to_dtype(pack)? } else { flat };
                let before = Tensor::zeros_on(&[off], pack, device)?;
                let after = Tensor::zeros_on(&[total - off - size], pack, device)?;
                Ok(vec![Some(crate::ops::join::cat(&[before, flat, after], 0)?)])
            }),
        ));
        let _ = out_nodes[i].set(Arc::downgrade(&place));
        outputs[i].set_grad_fn(Some(place));
    }
    Ok(())
}
