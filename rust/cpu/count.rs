//! Counting kernels: `bincount` (plain or weighted), `histc`, and the groups of equal rows
//! behind `unique(dim=...)`.

/// `out[v] += 1` for each value `v` of `x` (non-negative and below `out.len()`: checked by
/// the caller).
pub fn bincount(x: &[i64], out: &mut [i64]) {
    for &v in x {
        out[v as usize] += 1;
    }
}

/// `out[v] += w` for each value `v` of `x` and its weight `w`.
pub fn bincount_weighted(x: &[i64], weights: &[f64], out: &mut [f64]) {
    for (&v, &w) in x.iter().zip(weights) {
        out[v as usize] += w;
    }
}

/// Histogram of `x` into `out.len()` equal bins over `[lo, hi]` (values outside, and NaN, are
/// ignored; `hi` falls into the last bin).
pub fn histc(x: &[f64], lo: f64, hi: f64, out: &mut [f64]) {
    let nb = out.len();
    for &v in x {
        if v.is_nan() || v < lo || v > hi {
            continue;
        }
        let mut b = ((v - lo) * nb as f64 / (hi - lo)) as usize;
        if b >= nb {
            b = nb - 1;
        }
        out[b] += 1.0;
    }
}

/// The groups of equal rows among `n` contiguous rows of `m` elements (`unique(dim=...)`):
/// the row order (sorted lexicographically, NaN last, stable; or the input order when
/// `consecutive`) and the `[start, end)` ranges of that order holding equal rows.
pub fn unique_rows<T: crate::cpu::sort::SortKey>(data: &[T], n: usize, m: usize, consecutive: bool) -> (Vec<usize>, Vec<(usize, usize)>) {
    let row = |i: usize| &data[i * m..(i + 1) * m];
    let cmp = |a: usize, b: usize| -> std::cmp::Ordering {
        for (p, q) in row(a).iter().zip(row(b)) {
            let (kp, kq) = (p.key(), q.key());
            if kp != kq {
                return kp.cmp(&kq);
            }
        }
        std::cmp::Ordering::Equal
    };
    let mut order: Vec<usize> = (0..n).collect();
    if !consecutive {
        order.sort_by(|&a, &b| cmp(a, b));
    }
    let mut groups = Vec::new();
    let mut i = 0;
    while i < n {
        let mut j = i + 1;
        while j < n && cmp(order[i], order[j]) == std::cmp::Ordering::Equal {
            j += 1;
        }
        groups.push((i, j));
        i = j;
    }
    (order, groups)
}
