//! Triangular solves (`trsm`): `T X = B` with T the upper or lower triangle of A, unit
//! diagonal or not. Only that triangle is read; a zero on the diagonal gives inf / NaN
//! (no error, as PyTorch's `linalg.solve_triangular`). Always faer: a hand-written loop was
//! no faster at any size measured (hand-written / faer 0.9-1.3 from n = 2 to 32, batches of
//! 16000 / n^2 matrices), faer's triangular solves have little fixed cost.

use super::{for_each_matrix, par_within, Mats, Real};
use faer::linalg::triangular_solve as ts;

/// Solves `T X = B` for each batch element (`a`: n x n, `b` and `x`: n x k).
pub fn solve_triangular<T: Real>(a: &Mats<T>, b: &Mats<T>, x: &Mats<T>, upper: bool, unit: bool) {
    let n = a.rows;
    let k = b.cols;
    let count = b.count();
    let par = par_within(count, n.max(k));
    for_each_matrix(
        count,
        n * n * k.max(1),
        || (),
        // SAFETY: the descriptors' guarantees (module docs): `x` is fresh, so `out` is the only
        // view of its matrix `bi` and aliases neither `a` nor `b`, which are only read
        |bi, _| unsafe {
            let t = a.mat(bi);
            let mut out = x.mat_mut(bi);
            out.copy_from(b.mat(bi));
            match (upper, unit) {
                (true, false) => ts::solve_upper_triangular_in_place(t, out, par),
                (true, true) => ts::solve_unit_upper_triangular_in_place(t, out, par),
                (false, false) => ts::solve_lower_triangular_in_place(t, out, par),
                (false, true) => ts::solve_unit_lower_triangular_in_place(t, out, par),
            }
        },
    );
}
