//! The backward pass: play the tape backwards.
//!
//! Nodes are popped from a max-heap keyed on their tape index. Every consumer of
//! a tensor was recorded after it, so when a node is popped all gradient
//! contributions to it have arrived. Iterative throughout: no recursion, so a
//! chain of a million ops is fine.

use crate::autograd::grad_mode::GradModeGuard;
use crate::autograd::node::Node;
use crate::error::{Error, Result};
use crate::shape;
use crate::tensor::Tensor;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::sync::Arc;

struct Ready(u64, Arc<Node>);
impl PartialEq for Ready {
    fn eq(&self, o: &Self) -> bool {
        self.0 == o.0
    }
}
impl Eq for Ready {}
impl PartialOrd for Ready {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Ready {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.0.cmp(&o.0)
    }
}

fn key(n: &Arc<Node>) -> usize {
    Arc::as_ptr(n) as usize
}

/// Where gradients end up.
enum Sink {
    /// `backward()`: accumulate into leaves' `.grad` (all leaves, or only `inputs`).
    Accumulate(Option<HashSet<usize>>),
    /// `autograd.grad()`: capture the gradient arriving at these nodes.
    Capture(HashMap<usize, usize>),
}

/// Adjusts a gradient to its input's dtype and shape (sum over broadcast dims).
fn fit_grad(g: Tensor, shape: &[usize], dtype: crate::dtype::DType) -> Result<Tensor> {
    let g = if g.shape() != shape { g.sum_to_shape(shape)? } else { g };
    if g.dtype() != dtype {
        g.to_dtype(dtype)
    } else {
        Ok(g)
    }
}

fn accumulate(a: Option<Tensor>, g: Tensor) -> Result<Tensor> {
    match a {
        None => Ok(g),
        Some(prev) => prev.add(&g),
    }
}

/// Runs the engine from `roots` with their initial gradients.
fn run(roots: Vec<(Arc<Node>, Tensor)>, retain_graph: bool, create_graph: bool, mut sink: Sink) -> Result<Vec<Option<Tensor>>> {
    let _mode = GradModeGuard::new(create_graph);
    let mut buffers: HashMap<usize, Tensor> = HashMap::new();
    let mut heap: BinaryHeap<Ready> = BinaryHeap::new();
    for (node, g) in roots {
        let k = key(&node);
        let prev = buffers.remove(&k);
        let first = prev.is_none();
        buffers.insert(k, accumulate(prev, g)?);
        if first {
            heap.push(Ready(node.seq, node));
        }
    }
    // For autograd.grad: only run nodes from which a captured node is reachable.
    let needed: Option<HashSet<usize>> = match &sink {
        Sink::Capture(targets) => Some(reachable_to(&heap, targets)),
        _ => None,
    };
    let mut captured: HashMap<usize, Tensor> = HashMap::new();
    while let Some(Ready(_, node)) = heap.pop() {
        let k = key(&node);
        let Some(mut grad) = buffers.remove(&k) else { continue };
        // tensor hooks may replace the gradient
        let hooks: Vec<_> = node.hooks.lock().iter().map(|(_, h, _)| h.clone()).collect();
        for h in hooks {
            if let Some(new) = h(&grad)? {
                grad = new;
            }
        }
        if let Some(w) = node.retain.lock().as_ref() {
            if let Some(t) = w.upgrade() {
                let t = Tensor::from_impl(t);
                let g = if create_graph { grad.clone() } else { grad.detach() };
                let cur = t.grad();
                let new = match cur {
                    None => g.clone_raw_if_shared()?,
                    Some(c) => c.add(&g)?,
                };
                t.0.meta.lock().grad = Some(new);
            }
        }
        match &mut sink {
            Sink::Capture(targets) => {
                if targets.contains_key(&k) {
                    captured.insert(k, grad.clone());
                }
            }
            Sink::Accumulate(only) => {
                if node.is_accumulate() {
                    if only.as_ref().is_none_or(|s| s.contains(&k)) {
                        if let Some(leaf) = node.leaf() {
                            accumulate_into_leaf(&leaf, grad, create_graph)?;
                        }
                    }
                    continue;
                }
            }
        }
        if node.is_accumulate() {
            continue;
        }
        if let Some(needed) = &needed {
            if !needed.contains(&k) {
                continue;
            }
        }
        let grads = node.apply(&grad, retain_graph)?;
        drop(grad);
        for (edge, g) in node.next.iter().zip(grads) {
            let (Some(next), Some(g)) = (&edge.node, g) else { continue };
            let g = fit_grad(g, &edge.shape, edge.dtype)?;
            let nk = key(next);
            match buffers.remove(&nk) {
                Some(prev) => {
                    buffers.insert(nk, prev.add(&g)?);
                }
                None => {
                    buffers.insert(nk, g);
                    heap.push(Ready(next.seq, next.clone()));
                }
            }
        }
    }
    match sink {
        Sink::Capture(targets) => {
            let mut out = vec![None; targets.len()];
            for (k, i) in targets {
                out[i] = captured.remove(&k);
            }
            Ok(out)
        }
        Sink::Accumulate(_) => Ok(vec![]),
    }
}

/// Nodes from which one of `targets` can be reached (walking `next` edges).
fn reachable_to(heap: &BinaryHeap<Ready>, targets: &HashMap<usize, usize>) -> HashSet<usize> {
    // iterative post-order over the graph from the roots
    let mut needed = HashSet::new();
    let mut state: HashMap<usize, bool> = HashMap::new(); // visited -> done
    let mut stack: Vec<(Arc<Node>, usize)> = heap.iter().map(|r| (r.1.clone(), 0)).collect();
    while let Some((node, i)) = stack.pop() {
        let k = key(&node);
        if i == 0 {
            if state.contains_key(&k) {
                continue;
            }
            state.insert(k, false);
        }
        if i < node.next.len() {
            let child = node.next[i].node.clone();
            stack.push((node, i + 1));
            if let Some(c) = child {
                if !state.contains_key(&key(&c)) {
                    stack.push((c, 0));
                }
            }
            continue;
        }
        let reaches = targets.contains_key(&k) || node.next.iter().any(|e| e.node.as_ref().is_some_and(|c| needed.contains(&key(c))));
        if reaches {
            needed.insert(k);
        }
        state.insert(k, true);
    }
    needed
}

fn accumulate_into_leaf(leaf: &Tensor, grad: Tensor, create_graph: bool) -> Result<()> {
    let grad = if create_graph { grad } else { grad.detach() };
    let cur = leaf.grad();
    let new = match cur {
        None => grad.clone_raw_if_shared()?,
        Some(c) => {
            if create_graph || c.requires_grad() {
                c.add(&grad)?
            } else {
                // in place, as PyTorch does when nothing needs the old value
                crate::autograd::no_grad(|| c.add_(&grad))?;
                c
            }
        }
    };
    leaf.0.meta.lock().grad = Some(new);
    Ok(())
}

/// The implicit gradient for `root`: 1 for scalars, PyTorch's error otherwise.
fn initial_grad(root: &Tensor, grad: Option<Tensor>) -> Result<Tensor> {
    match grad {
        Some(g) => {
            if g.shape() != root.shape() {
                return Err(Error::Runtime(format!(
                    "Mismatch in shape: grad_output[0] has a shape of {} and output[0] has a shape of {}.",
                    shape::fmt_shape(g.shape()),
                    shape::fmt_shape(root.shape())
                )));
            }
            Ok(if g.dtype() != root.dtype() { g.to_dtype(root.dtype())? } else { g })
        }
        None => {
            if root.numel() != 1 {
                return Err(Error::Runtime("grad can be implicitly created only for scalar outputs".into()));
            }
            Tensor::ones_on(root.shape(), root.dtype(), root.device())
        }
    }
}

fn root_node(t: &Tensor, i: usize) -> Result<Arc<Node>> {
    t.grad_edge().ok_or_else(|| {
        Error::Runtime(format!(
            "element {i} of tensors does not require grad and does not have a grad_fn"
        ))
    })
}

/// `tensor.backward(gradient, retain_graph, create_graph, inputs)`.
pub fn backward(roots: &[Tensor], grads: Vec<Option<Tensor>>, retain_graph: Option<bool>, create_graph: bool, inputs: Option<&[Tensor]>) -> Result<()> {
    let retain = retain_graph.unwrap_or(create_graph);
    let mut rs = Vec::new();
    for (i, (r, g)) in roots.iter().zip(grads).enumerate() {
        let node = root_node(r, i)?;
        rs.push((node, initial_grad(r, g)?));
    }
    let only = match inputs {
        None => None,
        Some(list) => {
            if list.is_empty() {
                return Err(Error::Runtime("'inputs' argument to backward() cannot be empty.".into()));
            }
            let mut set = HashSet::new();
            for t in list {
                if !t.is_leaf() {
                    return Err(Error::Runtime(
                        "backward(inputs=...) with non-leaf inputs is not supported; use rgrad.autograd.grad for those".into(),
                    ));
                }
                let n = t.grad_edge().ok_or_else(|| Error::Runtime("One of the differentiated Tensors does not require grad".into()))?;
                set.insert(key(&n));
            }
            Some(set)
        }
    };
    run(rs, retain, create_graph, Sink::Accumulate(only))?;
    Ok(())
}

/// `rgrad.autograd.grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused)`.
pub fn grad(outputs: &[Tensor], inputs: &[Tensor], grad_outputs: Vec<Option<Tensor>>, retain_graph: Option<bool>, create_graph: bool, allow_unused: bool) -> Result<Vec<Option<Tensor>>> {
    let retain = retain_graph.unwrap_or(create_graph);
    let mut rs = Vec::new();
    for (i, (r, g)) in outputs.iter().zip(grad_outputs).enumerate() {
        let node = root_node(r, i)?;
        rs.push((node, initial_grad(r, g)?));
    }
    let mut targets = HashMap::new();
    let mut keys = Vec::new();
    for (i, t) in inputs.iter().enumerate() {
        let n = t.grad_edge().ok_or_else(|| Error::Runtime("One of the differentiated Tensors does not require grad".into()))?;
        keys.push(key(&n));
        targets.entry(key(&n)).or_insert(i);
    }
    let captured = run(rs, retain, create_graph, Sink::Capture(targets.clone()))?;
    let mut out = Vec::with_capacity(inputs.len());
    for (i, k) in keys.iter().enumerate() {
        let g = captured[targets[k]].clone();
        let g = match g {
            Some(g) => Some(if create_graph { g } else { g.detach() }),
            None if allow_unused => None,
            None => {
                return Err(Error::Runtime(format!(
                    "One of the differentiated Tensors (input {i}) appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior."
                )))
            }
        };
        out.push(g);
    }
    Ok(out)
}
