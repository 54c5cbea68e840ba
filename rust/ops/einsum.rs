//! `einsum`: Einstein summation over any subscripts, with `...`, repeated
//! subscripts (diagonals / traces), implicit and explicit outputs and size-1 broadcasting.
//!
//! Plan: (1) a repeated subscript within an operand becomes a diagonal *view*
//! (strides summed); (2) subscripts found in only one operand and not in the
//! output are summed away at once; (3) operands are contracted left to right,
//! each pair as one batched product (permute + reshape to (batch..., M, K) @
//! (batch..., K, N), the gemm path) or, with nothing to contract, a broadcast
//! multiply; (4) the result is permuted to the output order. Every step is a
//! differentiable op, so gradients (and higher-order ones) come for free.

use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::shape::Shape;
use crate::tensor::Tensor;
use std::sync::Arc;

/// Subscript ids: 'A'..'Z' -> 0..25, 'a'..'z' -> 26..51 (PyTorch's implicit-output
/// order), ellipsis dims -> 52...
const ELL_BASE: usize = 52;

fn label_char(id: usize) -> String {
    match id {
        0..=25 => ((b'A' + id as u8) as char).to_string(),
        26..=51 => ((b'a' + (id - 26) as u8) as char).to_string(),
        _ => "...".into(),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Sub {
    Label(usize),
    Ellipsis,
}

/// Parses one side (`s` starts at `base` in the equation). Returns a list per operand.
fn parse_side(s: &str, base: usize, output: bool) -> Result<Vec<Vec<Sub>>> {
    let bytes = s.as_bytes();
    let mut ops: Vec<Vec<Sub>> = vec![Vec::new()];
    let mut has_ell = false;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b' ' => {}
            b',' if !output => {
                ops.push(Vec::new());
                has_ell = false;
            }
            b'.' => {
                let who = if output { "output".to_string() } else { format!("operand {}", ops.len() - 1) };
                if has_ell {
                    return Err(Error::Runtime(format!(
                        "einsum(): found '.' for {who} for which an ellipsis was already found"
                    )));
                }
                if i + 2 >= bytes.len() || bytes[i + 1] != b'.' || bytes[i + 2] != b'.' {
                    return Err(Error::Runtime(format!("einsum(): found '.' for {who} that is not part of any ellipsis")));
                }
                has_ell = true;
                ops.last_mut().expect("one operand").push(Sub::Ellipsis);
                i += 2;
            }
            b'A'..=b'Z' => ops.last_mut().expect("one operand").push(Sub::Label((c - b'A') as usize)),
            b'a'..=b'z' => ops.last_mut().expect("one operand").push(Sub::Label((c - b'a') as usize + 26)),
            _ => {
                return Err(Error::Runtime(format!(
                    "einsum(): invalid subscript given at index {} in the equation string, subscripts must be in [a-zA-Z]",
                    base + i
                )))
            }
        }
        i += 1;
    }
    Ok(ops)
}

/// Takes the diagonal over repeated ids: returns the view and its unique ids.
fn diagonal(t: &Tensor, ids: &[usize]) -> Result<(Tensor, Vec<usize>)> {
    let mut uniq: Vec<usize> = Vec::new();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (d, &id) in ids.iter().enumerate() {
        match uniq.iter().position(|&u| u == id) {
            Some(p) => groups[p].push(d),
            None => {
                uniq.push(id);
                groups.push(vec![d]);
            }
        }
    }
    if uniq.len() == ids.len() {
        return Ok((t.clone(), uniq));
    }
    let f = Arc::new(move |l: &Layout| -> Result<Layout> {
        let mut out = Layout { shape: Shape::new(), strides: Default::default(), offset: l.offset };
        for g in &groups {
            out.shape.push(l.shape[g[0]]);
            out.strides.push(g.iter().map(|&d| l.strides[d]).sum());
        }
        Ok(out)
    });
    Ok((t.view_fn("DiagonalBackward0", f)?, uniq))
}

/// Removes the dims whose ids are not wanted (`keep(id)` false). They are summed,
/// which (as PyTorch's `sum`) turns bool and integer operands into int64;
/// with `squeeze_ones`, size-1 dims are dropped as a view instead (PyTorch's
/// multi-operand einsum never sums a size-1 dim, so it keeps the dtype);
/// `ones_only` drops just those.
fn sum_unwanted(t: Tensor, ids: Vec<usize>, keep: impl Fn(usize) -> bool, squeeze_ones: bool, ones_only: bool) -> Result<(Tensor, Vec<usize>)> {
    let unwanted = |d: usize| !keep(ids[d]);
    let ones: Vec<isize> = (0..ids.len()).filter(|&d| squeeze_ones && unwanted(d) && t.shape()[d] == 1).map(|d| d as isize).collect();
    let (t, ids) = if ones.is_empty() {
        (t, ids)
    } else {
        let rest = ids.iter().enumerate().filter(|(d, _)| !ones.contains(&(*d as isize))).map(|(_, &id)| id).collect();
        (t.squeeze(Some(&ones))?, rest)
    };
    let drop: Vec<isize> = (0..ids.len()).filter(|&d| !keep(ids[d])).map(|d| d as isize).collect();
    if drop.is_empty() || ones_only {
        return Ok((t, ids));
    }
    let s = t.sum_dims(Some(&drop), false, None)?;
    let rest = ids.into_iter().filter(|&id| keep(id)).collect();
    Ok((s, rest))
}

fn sizes_of(t: &Tensor, ids: &[usize], want: &[usize]) -> Vec<usize> {
    want.iter().map(|w| t.shape()[ids.iter().position(|i| i == w).expect("id present")]).collect()
}

/// Contracts two operands; `keep(id)`: id is needed later (output or later operands).
fn contract(a: Tensor, ia: Vec<usize>, b: Tensor, ib: Vec<usize>, keep: &dyn Fn(usize) -> bool) -> Result<(Tensor, Vec<usize>)> {
    // ids only in one side and not needed later: sum them now
    let (a, ia) = {
        let ib2 = ib.clone();
        sum_unwanted(a, ia, |id| keep(id) || ib2.contains(&id), true, false)?
    };
    let (b, ib) = {
        let ia2 = ia.clone();
        sum_unwanted(b, ib, |id| keep(id) || ia2.contains(&id), true, false)?
    };
    let batch: Vec<usize> = ia.iter().copied().filter(|id| ib.contains(id) && keep(*id)).collect();
    let contr: Vec<usize> = ia.iter().copied().filter(|id| ib.contains(id) && !keep(*id)).collect();
    let left: Vec<usize> = ia.iter().copied().filter(|id| !ib.contains(id)).collect();
    let right: Vec<usize> = ib.iter().copied().filter(|id| !ia.contains(id)).collect();
    let pos = |ids: &[usize], id: usize| ids.iter().position(|&x| x == id).expect("id present") as isize;
    // contracted ids of size 1 on one side only: broadcast that side
    let (mut a, mut b) = (a, b);
    for &id in &contr {
        let (sa, sb) = (a.shape()[pos(&ia, id) as usize], b.shape()[pos(&ib, id) as usize]);
        if sa != sb {
            if sa == 1 {
                let mut s: Vec<isize> = a.shape().iter().map(|&x| x as isize).collect();
                s[pos(&ia, id) as usize] = sb as isize;
                a = a.expand(&s)?;
            } else {
                let mut s: Vec<isize> = b.shape().iter().map(|&x| x as isize).collect();
                s[pos(&ib, id) as usize] = sa as isize;
                b = b.expand(&s)?;
            }
        }
    }
    let bsa = sizes_of(&a, &ia, &batch);
    let bsb = sizes_of(&b, &ib, &batch);
    let ls = sizes_of(&a, &ia, &left);
    let rs = sizes_of(&b, &ib, &right);
    let ks: usize = sizes_of(&a, &ia, &contr).iter().product();
    let (m, n): (usize, usize) = (ls.iter().product(), rs.iter().product());
    let mut out_ids = batch.clone();
    out_ids.extend(&left);
    out_ids.extend(&right);
    if contr.is_empty() {
        // nothing to sum: a broadcast multiply
        let pa: Vec<isize> = batch.iter().chain(&left).map(|&id| pos(&ia, id)).collect();
        let pb: Vec<isize> = batch.iter().chain(&right).map(|&id| pos(&ib, id)).collect();
        let mut sa: Shape = bsa.iter().chain(&ls).copied().collect();
        sa.extend(std::iter::repeat_n(1, right.len()));
        let mut sb: Shape = bsb.iter().copied().collect();
        sb.extend(std::iter::repeat_n(1, left.len()));
        sb.extend(rs.iter().copied());
        let out = a.permute(&pa)?.reshape_to(&sa)?.mul(&b.permute(&pb)?.reshape_to(&sb)?)?;
        return Ok((out, out_ids));
    }
    let pa: Vec<isize> = batch.iter().chain(&left).chain(&contr).map(|&id| pos(&ia, id)).collect();
    let pb: Vec<isize> = batch.iter().chain(&contr).chain(&right).map(|&id| pos(&ib, id)).collect();
    let mut sa: Shape = bsa.iter().copied().collect();
    sa.extend([m, ks]);
    let mut sb: Shape = bsb.iter().copied().collect();
    sb.extend([ks, n]);
    let a3 = a.permute(&pa)?.reshape_to(&sa)?;
    let b3 = b.permute(&pb)?.reshape_to(&sb)?;
    let prod = crate::ops::matmul::batched_product(&a3, &b3)?;
    let mut out_shape: Shape = prod.shape()[..batch.len()].into();
    out_shape.extend(ls);
    out_shape.extend(rs);
    Ok((prod.reshape_to(&out_shape)?, out_ids))
}

/// `einsum(equation, operands)`.
pub fn einsum(equation: &str, operands: &[Tensor]) -> Result<Tensor> {
    if operands.is_empty() {
        return Err(Error::Runtime("einsum(): must provide at least one operand".into()));
    }
    let (lhs, rhs) = match equation.find("->") {
        Some(p) => (&equation[..p], Some((&equation[p + 2..], p + 2))),
        None => (equation, None),
    };
    let subs = parse_side(lhs, 0, false)?;
    if subs.len() < operands.len() {
        return Err(Error::Runtime("einsum(): more operands were provided than specified in the equation".into()));
    }
    if subs.len() > operands.len() {
        return Err(Error::Runtime("einsum(): fewer operands were provided than specified in the equation".into()));
    }
    // no dtype check here: as in PyTorch, a pair with nothing to contract multiplies
    // (with type promotion) and a contraction needs equal dtypes (bmm's message)
    crate::ops::checks::check_same_device(&operands.iter().collect::<Vec<_>>())?;
    // ellipsis width
    let mut ell = 0usize;
    for (k, (s, t)) in subs.iter().zip(operands).enumerate() {
        let nl = s.iter().filter(|x| matches!(x, Sub::Label(_))).count();
        let has_ell = s.contains(&Sub::Ellipsis);
        if has_ell {
            if nl > t.rank() {
                return Err(Error::Runtime(format!(
                    "einsum(): the number of subscripts in the equation ({nl}) is more than the number of dimensions ({}) for operand {k}",
                    t.rank()
                )));
            }
            ell = ell.max(t.rank() - nl);
        } else if nl != t.rank() {
            return Err(Error::Runtime(format!(
                "einsum(): the number of subscripts in the equation ({nl}) does not match the number of dimensions ({}) for operand {k} and no ellipsis was given",
                t.rank()
            )));
        }
    }
    // ids per operand dim
    let mut op_ids: Vec<Vec<usize>> = Vec::new();
    let mut count = vec![0usize; ELL_BASE + ell];
    let mut size: Vec<Option<usize>> = vec![None; ELL_BASE + ell];
    for (k, (s, t)) in subs.iter().zip(operands).enumerate() {
        let nl = s.iter().filter(|x| matches!(x, Sub::Label(_))).count();
        let mut ids = Vec::with_capacity(t.rank());
        for x in s {
            match *x {
                Sub::Label(id) => ids.push(id),
                Sub::Ellipsis => {
                    let e = t.rank() - nl;
                    ids.extend((ell - e..ell).map(|j| ELL_BASE + j));
                }
            }
        }
        for (d, &id) in ids.iter().enumerate() {
            count[id] += 1;
            let sz = t.shape()[d];
            if let Some(first) = ids[..d].iter().position(|&x| x == id) {
                if t.shape()[first] != sz {
                    return Err(Error::Runtime(format!(
                        "einsum(): subscript {} is repeated for operand {k} but the sizes don't match, {} != {}",
                        label_char(id),
                        sz,
                        t.shape()[first]
                    )));
                }
                continue;
            }
            size[id] = match size[id] {
                None => Some(sz),
                Some(prev) if prev == sz || sz == 1 => Some(prev),
                Some(1) => Some(sz),
                Some(prev) => {
                    return Err(Error::Runtime(format!(
                        "einsum(): subscript {} has size {sz} for operand {k} which does not broadcast with previously seen size {prev}",
                        label_char(id)
                    )))
                }
            };
        }
        op_ids.push(ids);
    }
    // output ids
    let out_ids: Vec<usize> = match rhs {
        Some((r, base)) => {
            let side = parse_side(r, base, true)?;
            let mut ids = Vec::new();
            for x in &side[0] {
                match *x {
                    Sub::Ellipsis => ids.extend((0..ell).map(|j| ELL_BASE + j)),
                    Sub::Label(id) => {
                        if count[id] == 0 {
                            return Err(Error::Runtime(format!(
                                "einsum(): output subscript {} does not appear in the equation for any input operand",
                                label_char(id)
                            )));
                        }
                        if ids.contains(&id) {
                            return Err(Error::Runtime(format!(
                                "einsum(): output subscript {} appears more than once in the output",
                                label_char(id)
                            )));
                        }
                        ids.push(id);
                    }
                }
            }
            ids
        }
        None => {
            let mut ids: Vec<usize> = (0..ell).map(|j| ELL_BASE + j).collect();
            ids.extend((0..ELL_BASE).filter(|&id| count[id] == 1));
            ids
        }
    };
    let in_out = |id: usize| out_ids.contains(&id);
    let multi = operands.len() > 1;
    // 1. diagonals, 2. sum ids private to one operand
    let mut work: Vec<(Tensor, Vec<usize>)> = Vec::new();
    for (t, ids) in operands.iter().zip(&op_ids) {
        let (t, ids) = diagonal(t, ids)?;
        // with several operands, a contracted dim of size 1 is a broadcast: drop it
        // (a view, as PyTorch, which never sums it and so keeps the dtype)
        let (t, ids) = if multi { sum_unwanted(t, ids, in_out, true, true)? } else { (t, ids) };
        work.push((t, ids));
    }
    let ops_with = |id: usize, work: &[(Tensor, Vec<usize>)]| work.iter().filter(|(_, ids)| ids.contains(&id)).count();
    for i in 0..work.len() {
        let (t, ids) = work[i].clone();
        let snapshot = work.clone();
        let keep = |id: usize| in_out(id) || ops_with(id, &snapshot) > 1;
        work[i] = sum_unwanted(t, ids, keep, multi, false)?;
    }
    // 3. contract left to right
    let mut iter = work.into_iter();
    let (mut acc, mut acc_ids) = iter.next().expect("one operand");
    let rest: Vec<(Tensor, Vec<usize>)> = iter.collect();
    for (j, (t, ids)) in rest.iter().enumerate() {
        let later = &rest[j + 1..];
        let keep = |id: usize| in_out(id) || later.iter().any(|(_, ids)| ids.contains(&id));
        let (a, ia) = contract(acc, acc_ids, t.clone(), ids.clone(), &keep)?;
        acc = a;
        acc_ids = ia;
    }
    // 4. output order (ids of the output not present: size-1 broadcasts never happen here)
    let (acc, acc_ids) = sum_unwanted(acc, acc_ids, in_out, multi, false)?;
    let perm: Vec<isize> = out_ids
        .iter()
        .map(|id| acc_ids.iter().position(|x| x == id).map(|p| p as isize))
        .collect::<Option<Vec<isize>>>()
        .ok_or_else(|| Error::Runtime("einsum(): internal error: output subscript lost".into()))?;
    if perm.iter().enumerate().all(|(i, &p)| i as isize == p) {
        return Ok(acc);
    }
    acc.permute(&perm)
}
