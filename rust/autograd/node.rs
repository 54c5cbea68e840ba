//! Tape nodes. Each recorded op output gets one `Node`: a tape index (`seq`),
//! edges to its inputs' nodes, the tensors its backward needs, and the backward
//! function itself. Leaves that require grad get an `AccumulateGrad` node.
//! Nodes are owned by the tensors that reach them, so a graph dies with its
//! last tensor.

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::shape::Shape;
use crate::tensor::{Tensor, TensorImpl};
use parking_lot::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

static NEXT_SEQ: AtomicU64 = AtomicU64::new(1);

pub(crate) fn next_seq() -> u64 {
    NEXT_SEQ.fetch_add(1, Ordering::Relaxed)
}

/// A backward function: `(saved tensors, grad of the output) -> grad per input`.
pub type BackwardFn = Box<dyn Fn(&[Tensor], &Tensor) -> Result<Vec<Option<Tensor>>> + Send + Sync>;

/// A tensor hook: sees the gradient, may replace it.
pub type Hook = Arc<dyn Fn(&Tensor) -> Result<Option<Tensor>> + Send + Sync>;

/// What a hook keeps alive that a host language's garbage collector must be able to see
/// (the Python callable, for the bindings: a hook whose callable refers back to its own
/// tensor is a reference cycle through Rust, which Python's collector can only break
/// if the tensor's `tp_traverse` reports the callable). `None` for Rust closures.
pub type HookOwner = Option<Arc<dyn std::any::Any + Send + Sync>>;

/// An edge to the node that produced one input, with the input's metadata so the
/// engine can cast and sum-reduce gradients to match it.
pub struct Edge {
    /// The node the input's gradient flows into (its `grad_fn`, or a leaf's AccumulateGrad);
    /// `None` when the input needs no gradient.
    pub node: Option<Arc<Node>>,
    /// The input's shape: the engine sum-reduces the gradient to it (undoing broadcasting).
    pub shape: Shape,
    /// The input's dtype: the engine casts the gradient to it.
    pub dtype: DType,
}

/// A tensor saved for backward, with the storage version it had then.
pub struct SavedTensor {
    /// The saved tensor (a handle sharing the original's storage). An op's own output is
    /// kept detached (see `is_output`): holding it with its `grad_fn` would make the node
    /// own itself.
    pub tensor: Tensor,
    /// Its storage version when saved; a different version at backward time means an
    /// in-place write changed it, and [`Node::apply`] fails.
    pub version: u64,
    /// The node's own output (PyTorch's `is_output` saved variable). Under `create_graph`
    /// the backward gets it back with this node as its `grad_fn`, so formulas written in
    /// terms of the output (exp, tanh, softmax, ...) stay differentiable without saving, or
    /// recomputing from, the input: an in-place write to the input then does not invalidate
    /// a backward that never reads it.
    pub is_output: bool,
}

/// What a [`Node`] does in backward.
pub enum NodeKind {
    /// A leaf's sink (PyTorch's `AccumulateGrad`): the engine adds the gradient it receives
    /// into the leaf's `.grad`.
    AccumulateGrad {
        /// The leaf, held weakly so the graph does not keep it alive.
        leaf: Weak<TensorImpl>
    },
    /// A recorded op: its backward function and the tensors that backward needs.
    Op {
        /// Maps the output's gradient to one gradient per input, in [`Node::next`] order.
        backward: BackwardFn,
        /// Tensors saved for backward; `None` once a backward without `retain_graph` freed them.
        saved: Mutex<Option<Vec<SavedTensor>>>,
        /// Whether anything was saved, so that backward through freed tensors is an error
        /// rather than a call with none.
        had_saved: bool
    },
}

/// One node of the autograd graph, what PyTorch shows as `grad_fn`.
///
/// Made by [`Node::new_op`] for each recorded op output, or by [`Node::new_accumulate`] for a
/// leaf that requires grad. The engine runs nodes in decreasing `seq` (reverse creation order,
/// a valid topological order), passing each one the sum of the gradients sent to it.
pub struct Node {
    /// Tape index from a global counter: a node made later gets a larger number.
    pub seq: u64,
    /// Name shown for `grad_fn`, e.g. `"SumBackward0"` or `"AccumulateGrad"`.
    pub name: &'static str,
    /// One edge per op input, in input order (empty for AccumulateGrad).
    pub next: Vec<Edge>,
    /// Leaf accumulator or recorded op.
    pub kind: NodeKind,
    /// Hooks registered on the tensor this node produced (or on the leaf), with their ids
    /// and what each keeps alive.
    pub hooks: Mutex<Vec<(u64, Hook, HookOwner)>>,
    /// `retain_grad()` target: the non-leaf whose `.grad` gets this node's gradient.
    pub retain: Mutex<Option<Weak<TensorImpl>>>,
}

impl Node {
    /// A node for op `name` with edges to its inputs, the tensors its backward needs
    /// (with their versions) and the backward function; takes the next tape index.
    pub fn new_op(name: &'static str, next: Vec<Edge>, saved: Vec<SavedTensor>, backward: BackwardFn) -> Node {
        let had_saved = !saved.is_empty();
        Node {
            seq: next_seq(),
            name,
            next,
            kind: NodeKind::Op { backward, saved: Mutex::new(Some(saved)), had_saved },
            hooks: Mutex::new(Vec::new()),
            retain: Mutex::new(None),
        }
    }
    /// The AccumulateGrad node of `leaf` (held weakly); takes the next tape index.
    pub fn new_accumulate(leaf: &Arc<TensorImpl>) -> Node {
        Node {
            seq: next_seq(),
            name: "AccumulateGrad",
            next: Vec::new(),
            kind: NodeKind::AccumulateGrad { leaf: Arc::downgrade(leaf) },
            hooks: Mutex::new(Vec::new()),
            retain: Mutex::new(None),
        }
    }
    /// Whether this is a leaf's AccumulateGrad node.
    pub fn is_accumulate(&self) -> bool {
        matches!(self.kind, NodeKind::AccumulateGrad { .. })
    }
    /// The leaf an AccumulateGrad node feeds, if still alive.
    pub fn leaf(&self) -> Option<Tensor> {
        match &self.kind {
            NodeKind::AccumulateGrad { leaf } => leaf.upgrade().map(Tensor::from_impl),
            _ => None,
        }
    }

    /// Runs the backward function, checking and (unless `retain`) freeing saved tensors.
    pub fn apply(self: &Arc<Self>, grad: &Tensor, retain: bool) -> Result<Vec<Option<Tensor>>> {
        match &self.kind {
            NodeKind::AccumulateGrad { .. } => Ok(vec![]),
            NodeKind::Op { backward, saved, had_saved } => {
                let tensors: Vec<Tensor> = {
                    let mut guard = saved.lock();
                    let Some(list) = guard.as_ref() else {
                        if *had_saved {
                            return Err(Error::Runtime(
                                "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.".into(),
                            ));
                        }
                        return backward(&[], grad);
                    };
                    let mut out = Vec::with_capacity(list.len());
                    for s in list {
                        let now = s.tensor.version();
                        if now != s.version {
                            return Err(Error::Runtime(format!(
                                "one of the variables needed for gradient computation has been modified by an inplace operation: [{} {}], which is needed by {}, is at version {}; expected version {} instead. Hint: the backtrace further above can help find the operation that failed to compute its gradient; avoid modifying that tensor in place, or clone() it first.",
                                s.tensor.type_name(),
                                crate::shape::fmt_shape(s.tensor.shape()),
                                self.name,
                                now,
                                s.version
                            )));
                        }
                        out.push(if s.is_output && crate::autograd::is_grad_enabled() {
                            // a create_graph backward: the output, attached to this node again
                            let t = s.tensor.detach();
                            t.set_grad_fn(Some(self.clone()));
                            t
                        } else {
                            s.tensor.clone()
                        });
                    }
                    if !retain {
                        *guard = None;
                    }
                    out
                };
                backward(&tensors, grad)
            }
        }
    }
}

impl Drop for Node {
    /// Unlinks long chains iteratively: dropping the last tensor of a
    /// million-op graph must not recurse a million frames deep.
    fn drop(&mut self) {
        let mut stack: Vec<Arc<Node>> = Vec::new();
        let take_from = |n: &mut Node, stack: &mut Vec<Arc<Node>>| {
            for e in n.next.drain(..) {
                if let Some(node) = e.node {
                    stack.push(node);
                }
            }
            if let NodeKind::Op { saved, .. } = &mut n.kind {
                if let Some(list) = saved.get_mut().take() {
                    for s in list {
                        if let Some(node) = s.tensor.into_grad_fn_if_unique() {
                            stack.push(node);
                        }
                    }
                }
            }
        };
        take_from(self, &mut stack);
        while let Some(node) = stack.pop() {
            if let Ok(mut owned) = Arc::try_unwrap(node) {
                take_from(&mut owned, &mut stack);
                // `owned` drops here with nothing left to recurse into
            }
        }
    }
}
