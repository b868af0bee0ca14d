//! The arithmetic of forward and back propagation, in the article's summation order.
//!
//! R evaluates `cbind(1, a) %*% w` and `t(cbind(1, a)) %*% delta` with reference BLAS, which sums
//! each dot product **sequentially over the inner index**, starting from zero, with separate
//! multiply and add. Hidden-5 training on the hot dogs is chaotic enough that another order moves
//! its final weights by about 1e-3, so every sum here keeps that order. Speed comes from working
//! on many independent sums at once (across outputs, samples or inputs), never from reordering one
//! sum, and from a vectorised `exp` ([`super::exp`]). On x86-64 the stages are compiled again for
//! AVX2 and for AVX-512 and picked at run time ([`Simd`]); every version does the same IEEE
//! operations in the same order (Rust never fuses a multiply and an add on its own), so their
//! results are identical, which a test checks.

use super::exp::Simd;
use super::{Activation, Loss, Matrix, OutputHead, Targets};

pub use super::exp::sigmoid;

/// Samples per block in the forward and backward loops: 16 sums in flight, 4 AVX2 registers.
/// Buffers hold the samples padded with zeros to a multiple of this, so every loop runs on whole
/// blocks; padded samples get a zero delta, so they add exact zeros to every gradient sum.
const BLOCK: usize = 16;

/// Copies `src` (`rows × cols`, row-major) transposed into `dst` (`cols × stride`), leaving
/// `dst[c][rows..stride]` as it is.
#[inline(always)]
fn transpose_into(src: &[f64], rows: usize, cols: usize, dst: &mut [f64], stride: usize) {
    debug_assert_eq!(src.len(), rows * cols);
    debug_assert!(dst.len() >= cols * stride);
    // 8 × 8 tiles keep both sides in cache lines.
    for r0 in (0..rows).step_by(8) {
        for c0 in (0..cols).step_by(8) {
            for r in r0..(r0 + 8).min(rows) {
                for c in c0..(c0 + 8).min(cols) {
                    dst[c * stride + r] = src[r * cols + c];
                }
            }
        }
    }
}

/// `m` transposed.
pub fn transpose(m: &Matrix) -> Matrix {
    let mut t = Matrix::zeros(m.cols(), m.rows());
    transpose_into(m.as_slice(), m.rows(), m.cols(), t.as_mut_slice(), m.rows());
    t
}

/// The block of `BLOCK` values of `row` starting at `s`.
#[inline(always)]
fn block(row: &[f64], s: usize) -> &[f64; BLOCK] {
    row[s..s + BLOCK].try_into().expect("blocks are whole")
}

/// `t(cbind(1, a) %*% w)`: `z[j][s] = w[0][j] + Σ_k a[k][s] · w[k+1][j]`, summed in order of k.
///
/// # Shapes
/// Unit-major, samples padded to `np` (a multiple of `BLOCK`): `a: [in][np]`; `z` holds rows
/// `j0..` of `[out][np]`; `w: [in + 1, out]` (row 0 the bias).
#[inline(always)]
fn affine_t(a: &[f64], np: usize, w: &Matrix, z: &mut [f64], j0: usize) {
    let out = w.cols();
    let w = w.as_slice();
    for (jj, zj) in z.chunks_exact_mut(np).enumerate() {
        let j = j0 + jj;
        // Four blocks at a time while there are four: 64 sums in flight hide the latency of
        // each addition (one block's 16 do not when there are many inputs).
        let mut quads = zj.chunks_exact_mut(4 * BLOCK);
        for (q, zq) in quads.by_ref().enumerate() {
            affine_block::<{ 4 * BLOCK }>(a, np, (w, out, j), q * 4 * BLOCK, zq);
        }
        let done = np / (4 * BLOCK) * 4 * BLOCK;
        for (b, zb) in quads.into_remainder().chunks_exact_mut(BLOCK).enumerate() {
            affine_block::<BLOCK>(a, np, (w, out, j), done + b * BLOCK, zb);
        }
    }
}

/// `zs[i] = w[0][j] + Σ_k a[k][s + i] · w[k+1][j]` for the `N` samples from `s`, summed in order
/// of k; `w` is `[in + 1, out]` row-major.
#[inline(always)]
fn affine_block<const N: usize>(
    a: &[f64],
    np: usize,
    (w, out, j): (&[f64], usize, usize),
    s: usize,
    zs: &mut [f64],
) {
    let mut acc = [w[j]; N];
    for (k, ak) in a.chunks_exact(np).enumerate() {
        let wk = w[(k + 1) * out + j];
        let ak: &[f64; N] = ak[s..s + N].try_into().expect("blocks are whole");
        for (c, &x) in acc.iter_mut().zip(ak) {
            *c += x * wk;
        }
    }
    zs.copy_from_slice(&acc);
}

/// `t(f'(a) · (delta %*% t(w[-1, ])))`: `back[k][s] = f'(a[k][s]) · Σ_j delta[j][s] · w[k+1][j]`,
/// summed in order of j, then multiplied as the article's `h * (1 - h) * dh`.
///
/// # Shapes
/// Unit-major, padded: `delta: [out][np]`; `a` and `back` hold rows `k0..` of `[in][np]`;
/// `w: [in + 1, out]`.
#[inline(always)]
fn back_propagate_t(
    delta: &[f64],
    np: usize,
    w: &Matrix,
    activation: Activation,
    (a, back): (&[f64], &mut [f64]),
    k0: usize,
) {
    let out = w.cols();
    let w = w.as_slice();
    for (kk, (bk, ak)) in back
        .chunks_exact_mut(np)
        .zip(a.chunks_exact(np))
        .enumerate()
    {
        let k = k0 + kk;
        let wk = &w[(k + 1) * out..(k + 2) * out];
        for (b, bb) in bk.chunks_exact_mut(BLOCK).enumerate() {
            let s = b * BLOCK;
            let mut acc = [0.0; BLOCK];
            for (dj, &wj) in delta.chunks_exact(np).zip(wk) {
                for (c, &d) in acc.iter_mut().zip(block(dj, s)) {
                    *c += d * wj;
                }
            }
            let bb: &mut [f64; BLOCK] = bb.try_into().expect("blocks are whole");
            multiply_by_derivative(activation, &acc, block(ak, s), bb);
        }
    }
}

/// `out[i] = f'(a[i]) · back[i]`, the article's `h * (1 - h) * dh`, with the derivative written in
/// terms of the activation's output; one loop per activation so that each vectorises.
#[inline(always)]
fn multiply_by_derivative(
    activation: Activation,
    back: &[f64; BLOCK],
    a: &[f64; BLOCK],
    out: &mut [f64; BLOCK],
) {
    macro_rules! each {
        ($f:expr) => {
            for i in 0..BLOCK {
                out[i] = $f(a[i]) * back[i];
            }
        };
    }
    match activation {
        Activation::Sigmoid => each!(|a: f64| a * (1.0 - a)),
        Activation::Tanh => each!(|a: f64| 1.0 - a * a),
        Activation::Relu => each!(|a: f64| if a > 0.0 { 1.0 } else { 0.0 }),
        Activation::LeakyRelu => {
            each!(|a: f64| if a > 0.0 {
                1.0
            } else {
                super::activation::LEAKY_SLOPE
            })
        }
        Activation::Linear => *out = *back,
    }
}

/// Lanes of the gradient tile: 8 sums side by side (two AVX2 registers).
const LANES: usize = 8;
/// Rows of the gradient tile: 4 × 8 = 32 independent sums hide the latency of each addition.
const TILE_ROWS: usize = 4;

/// The two sides of a layer's gradient `t(cbind(1, a)) %*% delta`, unit-major and padded to
/// `np` samples: the left side's rows are the bias's ones, then the inputs `a`; the right side's
/// rows are the deltas. Rows beyond either end read as zeros.
#[derive(Clone, Copy)]
struct Sides<'a> {
    a: &'a [f64],
    delta: &'a [f64],
    np: usize,
    /// Rows of the left side: inputs + 1.
    rows: usize,
    /// Rows of the right side: the layer's outputs.
    out: usize,
    ones: &'a [f64],
    zeros: &'a [f64],
}

impl<'a> Sides<'a> {
    /// Row `r` of `cbind(1, a)` transposed: the ones, then the inputs.
    #[inline(always)]
    fn left(&self, r: usize) -> &'a [f64] {
        match r {
            0 => self.ones,
            r if r < self.rows => &self.a[(r - 1) * self.np..r * self.np],
            _ => self.zeros,
        }
    }

    /// The deltas of output `j`.
    #[inline(always)]
    fn right(&self, j: usize) -> &'a [f64] {
        if j < self.out {
            &self.delta[j * self.np..(j + 1) * self.np]
        } else {
            self.zeros
        }
    }

    /// Sums run side by side along the longer side (the lanes), one row of the other side at a
    /// time: true if the lanes are the outputs.
    #[inline(always)]
    fn lanes_on_outputs(&self) -> bool {
        self.out >= self.rows
    }

    /// Rows of the lane side and of the other side.
    #[inline(always)]
    fn counts(&self) -> (usize, usize) {
        if self.lanes_on_outputs() {
            (self.out, self.rows)
        } else {
            (self.rows, self.out)
        }
    }

    /// Row `i` of the lane side.
    #[inline(always)]
    fn lane_row(&self, i: usize) -> &'a [f64] {
        if self.lanes_on_outputs() {
            self.right(i)
        } else {
            self.left(i)
        }
    }

    /// Row `t` of the other side.
    #[inline(always)]
    fn other_row(&self, t: usize) -> &'a [f64] {
        if self.lanes_on_outputs() {
            self.left(t)
        } else {
            self.right(t)
        }
    }

    /// Where the sum of lane `i` and other row `t` goes in the gradient `[rows, out]`.
    #[inline(always)]
    fn cell(&self, i: usize, t: usize) -> usize {
        if self.lanes_on_outputs() {
            t * self.out + i
        } else {
            i * self.out + t
        }
    }
}

/// `g = t(cbind(1, a)) %*% delta` from unit-major `a: [in][np]` and `delta: [out][np]`:
/// `g[0][j] = Σ_s delta[j][s]`, `g[k+1][j] = Σ_s delta[j][s] · a[k][s]`, summed in order of s.
///
/// Each sum runs over the samples in order; what runs in parallel is 32 different sums: 8 lanes
/// along the longer of the two sides (copied sample-major into `tile`) times 4 rows of the
/// other. `ones` and `zeros` are `np` long.
#[inline(always)]
fn outer_sum_t(
    simd: Simd,
    sides: Sides<'_>,
    g: &Cells,
    tile: &mut [f64],
    (part, parts): (usize, usize),
) {
    let np = sides.np;
    let tile = &mut tile[..np * LANES];
    let (lane_count, other_count) = sides.counts();
    // This part's lane blocks: every `parts`-th one.
    for i0 in (0..lane_count)
        .step_by(LANES)
        .filter(|&i0| (i0 / LANES) % parts == part)
    {
        let width = LANES.min(lane_count - i0);
        fill_tile(tile, np, |i| sides.lane_row(i0 + i));
        for t0 in (0..other_count).step_by(TILE_ROWS) {
            let count = TILE_ROWS.min(other_count - t0);
            let others: [&[f64]; TILE_ROWS] =
                std::array::from_fn(|t| sides.other_row(t0 + t.min(count - 1)));
            for (t, row) in tile_sums(simd, tile, &others[..count])
                .iter()
                .take(count)
                .enumerate()
            {
                for (i, &v) in row.iter().enumerate().take(width) {
                    g.set(sides.cell(i0 + i, t0 + t), v);
                }
            }
        }
    }
}

/// `tile[s][i] = row(i)[s]` for 8 rows: a sample-major copy, written one sample (one cache
/// line) at a time.
#[inline(always)]
fn fill_tile<'a>(tile: &mut [f64], np: usize, row: impl Fn(usize) -> &'a [f64]) {
    debug_assert_eq!(tile.len(), np * LANES);
    let rows: [&[f64]; LANES] = std::array::from_fn(|i| &row(i)[..np]);
    for (s, lanes) in tile.chunks_exact_mut(LANES).enumerate() {
        for (lane, r) in lanes.iter_mut().zip(&rows) {
            *lane = r[s];
        }
    }
}

/// `acc[t][i] = Σ_s tile[s][i] · rows[t][s]` for 1 to 4 rows, summed in order of s, from zero.
///
/// The product is `delta · a` or `a · delta` depending on the side, which is the same number:
/// IEEE multiplication is commutative.
#[inline(always)]
fn tile_sums(simd: Simd, tile: &[f64], rows: &[&[f64]]) -> [[f64; LANES]; TILE_ROWS] {
    // The first `rows.len()` entries are the sums; the rest are zeros.
    let mut out = [[0.0; LANES]; TILE_ROWS];
    let mut put = |sums: &[[f64; LANES]]| out[..sums.len()].copy_from_slice(sums);
    match *rows {
        [a] => put(&tile_sums_n(simd, tile, [a])),
        [a, b] => put(&tile_sums_n(simd, tile, [a, b])),
        [a, b, c] => put(&tile_sums_n(simd, tile, [a, b, c])),
        [a, b, c, d] => put(&tile_sums_n(simd, tile, [a, b, c, d])),
        _ => unreachable!("1 to {TILE_ROWS} rows"),
    }
    out
}

#[inline(always)]
fn tile_sums_n<const R: usize>(simd: Simd, tile: &[f64], rows: [&[f64]; R]) -> [[f64; LANES]; R] {
    let np = tile.len() / LANES;
    let rows = rows.map(|r| &r[..np]);
    #[cfg(target_arch = "x86_64")]
    if simd != Simd::Portable {
        // SAFETY: the CPU has AVX2 (a level above portable implies it); every row holds `np`
        // values.
        return unsafe { tile_sums_avx2(tile, rows) };
    }
    let _ = simd;
    let mut acc = [[0.0; LANES]; R];
    for (s, lanes) in tile.chunks_exact(LANES).enumerate() {
        for t in 0..R {
            let v = rows[t][s];
            for i in 0..LANES {
                acc[t][i] += lanes[i] * v;
            }
        }
    }
    acc
}

/// [`tile_sums_n`] with AVX2 (the compiler does not vectorise the portable loop on its own); the
/// same multiplications and additions in the same order.
///
/// # Safety
/// The CPU must support AVX2; `tile` holds `np · LANES` values and every row `np`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn tile_sums_avx2<const R: usize>(tile: &[f64], rows: [&[f64]; R]) -> [[f64; LANES]; R] {
    use std::arch::x86_64::*;
    let np = tile.len() / LANES;
    let mut lo_acc = [_mm256_setzero_pd(); R];
    let mut hi_acc = [_mm256_setzero_pd(); R];
    for s in 0..np {
        // SAFETY: s < np, so the 8 values at s · LANES are inside `tile`, and `rows[t][s]` exists.
        unsafe {
            let p = tile.as_ptr().add(s * LANES);
            let (lo, hi) = (_mm256_loadu_pd(p), _mm256_loadu_pd(p.add(4)));
            for t in 0..R {
                let v = _mm256_set1_pd(*rows[t].get_unchecked(s));
                lo_acc[t] = _mm256_add_pd(lo_acc[t], _mm256_mul_pd(lo, v));
                hi_acc[t] = _mm256_add_pd(hi_acc[t], _mm256_mul_pd(hi, v));
            }
        }
    }
    let mut out = [[0.0; LANES]; R];
    for (t, row) in out.iter_mut().enumerate() {
        // SAFETY: each row holds 8 values, two registers' worth.
        unsafe {
            _mm256_storeu_pd(row.as_mut_ptr(), lo_acc[t]);
            _mm256_storeu_pd(row.as_mut_ptr().add(4), hi_acc[t]);
        }
    }
    out
}

#[cfg(target_arch = "x86_64")]
mod wide {
    //! The gradient sums with AVX-512: up to 32 sums side by side, each still summed over the
    //! samples in order from zero, fed by 8 × 8 transposes in registers.
    //!
    //! When the other side has few rows (the usual case: a layer's inputs and a narrow output,
    //! or a narrow input and its units), the transposed samples go straight from registers into
    //! the running sums, which stay in registers too. Otherwise the lanes are transposed once
    //! into a tile, a chunk of samples at a time, and the other side's rows are summed against
    //! it a few at a time.

    use std::arch::x86_64::*;

    use super::{Cells, Sides};

    /// Lane vectors (8 sums each) per pass: up to 32 sums side by side.
    const VECTORS: usize = 4;
    /// Rows of the other side per pass of the tiled sums: at most `VECTORS · ROWS` = 16
    /// accumulators.
    const ROWS: usize = 4;
    /// The most rows of the other side that the sums in registers take.
    const REGISTER_ROWS: usize = 8;
    /// Running sums kept in registers (of 32), leaving room for 8 transposed samples.
    const REGISTER_SUMS: usize = 16;
    /// Samples per tile: `CHUNK · VECTORS · 8` values (32 KiB) stay in the L1 cache.
    const CHUNK: usize = 128;

    /// The length of the scratch buffer [`outer_sum`] needs when the longer side of any layer's
    /// gradient has at most `longest` rows: a tile, then the running sums.
    pub(super) fn scratch_len(longest: usize) -> usize {
        (CHUNK + longest) * VECTORS * 8
    }

    /// The same sums as [`super::outer_sum_t`], in the same order: `g[0][j] = Σ_s delta[j][s]`,
    /// `g[k+1][j] = Σ_s delta[j][s] · a[k][s]`, with lanes along the longer side.
    #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2,fma")]
    pub(super) fn outer_sum(
        sides: Sides<'_>,
        g: &Cells,
        scratch: &mut [f64],
        (part, parts): (usize, usize),
    ) {
        let (lane_count, other_count) = sides.counts();
        let vectors = lane_count.div_ceil(8);
        let in_registers = other_count <= REGISTER_ROWS;
        let most = if in_registers {
            (REGISTER_SUMS / other_count.max(1)).clamp(1, VECTORS)
        } else {
            VECTORS
        };
        // Groups of lane vectors, dealt out to the parts in turn.
        let per = most.min(vectors.div_ceil(parts)).max(1);
        for first in (0..vectors)
            .step_by(per)
            .filter(|first| (first / per) % parts == part)
        {
            let m = per.min(vectors - first);
            if in_registers {
                sums_in_registers(sides, g, first, m);
            } else {
                tiled_sums(sides, g, scratch, first, m);
            }
        }
    }

    /// Lane vectors `first..first + m` against every row of the other side (at most
    /// [`REGISTER_ROWS`]), with the running sums in registers.
    #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2,fma")]
    fn sums_in_registers(sides: Sides<'_>, g: &Cells, first: usize, m: usize) {
        macro_rules! pick {
            ($(($m:literal, $($r:literal),*)),*) => {
                match (m, sides.counts().1) {
                    $($(($m, $r) => sums_in_registers_n::<$m, $r>(sides, g, first),)*)*
                    _ => unreachable!("at most {REGISTER_SUMS} sums in registers"),
                }
            };
        }
        pick!(
            (1, 1, 2, 3, 4, 5, 6, 7, 8),
            (2, 1, 2, 3, 4, 5, 6, 7, 8),
            (3, 1, 2, 3, 4, 5),
            (4, 1, 2, 3, 4)
        );
    }

    #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2,fma")]
    #[inline]
    fn sums_in_registers_n<const M: usize, const R: usize>(
        sides: Sides<'_>,
        g: &Cells,
        first: usize,
    ) {
        let np = sides.np;
        let lanes: [[&[f64]; 8]; M] = std::array::from_fn(|v| {
            std::array::from_fn(|q| &sides.lane_row((first + v) * 8 + q)[..np])
        });
        let others: [&[f64]; R] = std::array::from_fn(|t| &sides.other_row(t)[..np]);
        // [lane vector][other row]
        let mut sums = [[_mm512_setzero_pd(); R]; M];
        for s in (0..np).step_by(8) {
            let block: [&[f64; 8]; R] = std::array::from_fn(|t| {
                others[t][s..s + 8]
                    .try_into()
                    .expect("np is a multiple of 8")
            });
            for (rows, acc) in lanes.iter().zip(&mut sums) {
                add_block(&transposed(rows, s), &block, acc);
            }
        }
        let lane_count = sides.counts().0;
        for (v, row) in sums.iter().enumerate() {
            for (t, &sum) in row.iter().enumerate() {
                let mut values = [0.0; 8];
                // SAFETY: `values` holds eight f64.
                unsafe { _mm512_storeu_pd(values.as_mut_ptr(), sum) };
                for (q, &value) in values.iter().enumerate() {
                    let i = (first + v) * 8 + q;
                    if i < lane_count {
                        g.set(sides.cell(i, t), value);
                    }
                }
            }
        }
    }

    /// `acc[t] += Σ_k samples[k] · others[t][k]`, over the 8 samples in order; the running sums
    /// stay in registers for the block.
    #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2,fma")]
    #[inline]
    fn add_block<const R: usize>(
        samples: &[__m512d; 8],
        others: &[&[f64; 8]; R],
        acc: &mut [__m512d; R],
    ) {
        let mut sums = *acc;
        for (k, &sample) in samples.iter().enumerate() {
            for (sum, other) in sums.iter_mut().zip(others) {
                *sum = _mm512_add_pd(*sum, _mm512_mul_pd(sample, _mm512_set1_pd(other[k])));
            }
        }
        *acc = sums;
    }

    /// Lane vectors `first..first + m` transposed into a tile a chunk of samples at a time, then
    /// summed against the other side's rows a few at a time; the running sums wait in
    /// `scratch` between chunks.
    #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2,fma")]
    fn tiled_sums(sides: Sides<'_>, g: &Cells, scratch: &mut [f64], first: usize, m: usize) {
        let np = sides.np;
        let (lane_count, other_count) = sides.counts();
        let (tile, sums) = scratch.split_at_mut(CHUNK * VECTORS * 8);
        let width = m * 8;
        let sums = &mut sums[..other_count * width];
        sums.fill(0.0);
        for c0 in (0..np).step_by(CHUNK) {
            let len = CHUNK.min(np - c0);
            for v in 0..m {
                let block: [&[f64]; 8] =
                    std::array::from_fn(|q| &sides.lane_row((first + v) * 8 + q)[c0..c0 + len]);
                for s in (0..len).step_by(8) {
                    transpose8(&block, s, &mut tile[s * width + v * 8..], width);
                }
            }
            for r0 in (0..other_count).step_by(ROWS) {
                let count = ROWS.min(other_count - r0);
                let others: [&[f64]; ROWS] = std::array::from_fn(|t| {
                    &sides.other_row(if t < count { r0 + t } else { r0 })[c0..c0 + len]
                });
                let acc = &mut sums[r0 * width..(r0 + count) * width];
                add_sums(m, &tile[..len * width], &others[..count], acc);
            }
        }
        for t in 0..other_count {
            for lane in 0..width {
                let i = first * 8 + lane;
                if i < lane_count {
                    g.set(sides.cell(i, t), sums[t * width + lane]);
                }
            }
        }
    }

    /// Samples `s..s + 8` of 8 rows, transposed: vector `k` holds `rows[q][s + k]` in lane `q`.
    #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2,fma")]
    #[inline]
    fn transposed(rows: &[&[f64]; 8], s: usize) -> [__m512d; 8] {
        assert!(rows.iter().all(|r| r.len() >= s + 8));
        // SAFETY: every row holds 8 values from s (checked).
        let r: [__m512d; 8] =
            std::array::from_fn(|q| unsafe { _mm512_loadu_pd(rows[q].as_ptr().add(s)) });
        // [r0s0 r1s0 r0s2 r1s2 r0s4 r1s4 r0s6 r1s6] and the odd samples, for each pair of rows.
        let t: [__m512d; 8] = std::array::from_fn(|i| {
            let (x, y) = (r[i / 2 * 2], r[i / 2 * 2 + 1]);
            if i % 2 == 0 {
                _mm512_unpacklo_pd(x, y)
            } else {
                _mm512_unpackhi_pd(x, y)
            }
        });
        let low = _mm512_setr_epi64(0, 1, 8, 9, 4, 5, 12, 13);
        let high = _mm512_setr_epi64(2, 3, 10, 11, 6, 7, 14, 15);
        // Rows 0–3 (u) and 4–7 (v) of samples [0|4], [2|6], [1|5], [3|7].
        let quads = |x: __m512d, y: __m512d| {
            (
                _mm512_permutex2var_pd(x, low, y),
                _mm512_permutex2var_pd(x, high, y),
            )
        };
        let (u04, u26) = quads(t[0], t[2]);
        let (u15, u37) = quads(t[1], t[3]);
        let (v04, v26) = quads(t[4], t[6]);
        let (v15, v37) = quads(t[5], t[7]);
        [
            _mm512_shuffle_f64x2::<0x44>(u04, v04),
            _mm512_shuffle_f64x2::<0x44>(u15, v15),
            _mm512_shuffle_f64x2::<0x44>(u26, v26),
            _mm512_shuffle_f64x2::<0x44>(u37, v37),
            _mm512_shuffle_f64x2::<0xEE>(u04, v04),
            _mm512_shuffle_f64x2::<0xEE>(u15, v15),
            _mm512_shuffle_f64x2::<0xEE>(u26, v26),
            _mm512_shuffle_f64x2::<0xEE>(u37, v37),
        ]
    }

    /// Writes rows `block[q][s..s + 8]` (q < 8) transposed: `tile[k · width + q] = block[q][s + k]`.
    #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2,fma")]
    #[inline]
    fn transpose8(block: &[&[f64]; 8], s: usize, tile: &mut [f64], width: usize) {
        assert!(tile.len() >= 7 * width + 8);
        for (k, v) in transposed(block, s).into_iter().enumerate() {
            // SAFETY: the tile holds 8 rows of `width` (checked).
            unsafe { _mm512_storeu_pd(tile.as_mut_ptr().add(k * width), v) };
        }
    }

    /// `acc[t][i] += Σ_s tile[s][i] · others[t][s]` over the tile's samples in order, for `m`
    /// lane vectors and 1 to [`ROWS`] rows.
    #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2,fma")]
    fn add_sums(m: usize, tile: &[f64], others: &[&[f64]], acc: &mut [f64]) {
        macro_rules! pick {
            ($($m:literal),*) => {
                match (m, others.len()) {
                    $(
                        ($m, 1) => add_sums_n::<$m, 1>(tile, others, acc),
                        ($m, 2) => add_sums_n::<$m, 2>(tile, others, acc),
                        ($m, 3) => add_sums_n::<$m, 3>(tile, others, acc),
                        ($m, 4) => add_sums_n::<$m, 4>(tile, others, acc),
                    )*
                    _ => unreachable!("1 to {VECTORS} vectors, 1 to {ROWS} rows"),
                }
            };
        }
        pick!(1, 2, 3, 4);
    }

    #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2,fma")]
    #[inline]
    fn add_sums_n<const M: usize, const R: usize>(
        tile: &[f64],
        others: &[&[f64]],
        acc: &mut [f64],
    ) {
        let width = M * 8;
        let len = tile.len() / width;
        assert!(others.len() == R && others.iter().all(|o| o.len() >= len));
        assert!(acc.len() >= R * width);
        // SAFETY: the tile holds `len` rows of `width`, every other row `len` values and `acc`
        // R rows of `width` (checked above).
        unsafe {
            let mut sums: [[__m512d; M]; R] = std::array::from_fn(|t| {
                std::array::from_fn(|v| _mm512_loadu_pd(acc.as_ptr().add(t * width + v * 8)))
            });
            for s in 0..len {
                let p = tile.as_ptr().add(s * width);
                let lanes: [__m512d; M] = std::array::from_fn(|v| _mm512_loadu_pd(p.add(v * 8)));
                for (row, other) in sums.iter_mut().zip(others) {
                    let b = _mm512_set1_pd(*other.get_unchecked(s));
                    for (sum, &lane) in row.iter_mut().zip(&lanes) {
                        *sum = _mm512_add_pd(*sum, _mm512_mul_pd(lane, b));
                    }
                }
            }
            for (t, row) in sums.iter().enumerate() {
                for (v, &x) in row.iter().enumerate() {
                    _mm512_storeu_pd(acc.as_mut_ptr().add(t * width + v * 8), x);
                }
            }
        }
    }
}

/// Buffers for forward and backward passes, reused between iterations. Everything is stored
/// unit-major (`[units][np]`, samples padded to a multiple of `BLOCK`), so the inner loops run
/// along the samples.
#[derive(Clone, Debug, Default)]
pub struct Workspace {
    /// The input rows transposed, `[inputs][np]`.
    input: Vec<f64>,
    /// Output of each layer after its activation, `[units][np]`; the network's output last.
    activations: Vec<Vec<f64>>,
    /// The output layer's scores before the head (logits), `[outputs][np]`.
    scores: Vec<f64>,
    /// `∂loss/∂z` of each layer, `[units][np]`.
    deltas: Vec<Vec<f64>>,
    /// One sample-major tile per part of a stage.
    tiles: Vec<Vec<f64>>,
    ones: Vec<f64>,
    zeros: Vec<f64>,
    /// Rows of the last pass.
    n: usize,
    /// `n` rounded up to a multiple of `BLOCK`.
    np: usize,
}

impl Workspace {
    /// The network's output for the rows of the last pass, `[n, outputs]`.
    pub fn output(&self) -> Matrix {
        self.sample_major(self.activations.last().map_or(&[][..], |a| a))
    }

    /// The output layer's scores (logits) for the rows of the last pass, `[n, outputs]`.
    pub fn scores(&self) -> Matrix {
        self.sample_major(&self.scores)
    }

    /// The output of layer `l` (hidden layers first) for the rows of the last pass, `[n, units]`.
    pub fn layer_output(&self, l: usize) -> Matrix {
        self.sample_major(self.activations.get(l).map_or(&[][..], |a| a))
    }

    /// Every unit's values of layer `l` for the last pass, unit-major: unit `j`'s row `s` at
    /// `j · stride + s`, with `stride` (the padded rows) the length over the units.
    pub fn layer_values(&self, l: usize) -> Option<&[f64]> {
        self.activations.get(l).map(Vec::as_slice)
    }

    /// The values of one unit of layer `l` for the rows of the last pass, if there is one.
    pub fn unit_values(&self, l: usize, unit: usize) -> Option<&[f64]> {
        let a = self.activations.get(l)?;
        a.get(unit * self.np..unit * self.np + self.n)
    }

    fn sample_major(&self, unit_major: &[f64]) -> Matrix {
        let units = unit_major.len().checked_div(self.np).unwrap_or(0);
        let mut m = Matrix::zeros(self.n, units);
        for (j, row) in unit_major.chunks_exact(self.np.max(1)).enumerate() {
            for (s, &v) in row[..self.n].iter().enumerate() {
                m.set(s, j, v);
            }
        }
        m
    }

    /// Makes `x` (`[n, inputs]`) the rows of the next passes: transposes and pads it once, so a
    /// full-batch trainer pays for this once per call, not once per iteration.
    pub fn set_input(&mut self, x: &Matrix) {
        let n = x.rows();
        let np = n.div_ceil(BLOCK) * BLOCK;
        if (self.n, self.np) != (n, np) || self.input.len() != x.cols() * np {
            self.input = vec![0.0; x.cols() * np];
            self.ones = vec![1.0; np];
            self.zeros = vec![0.0; np];
            self.activations.clear();
            self.deltas.clear();
            self.scores.clear();
        }
        (self.n, self.np) = (n, np);
        transpose_into(x.as_slice(), n, x.cols(), &mut self.input, np);
    }

    fn fit(&mut self, weights: &[Matrix]) {
        let np = self.np;
        let layers = weights.len();
        self.activations.resize_with(layers, Vec::new);
        self.deltas.resize_with(layers, Vec::new);
        for (l, w) in weights.iter().enumerate() {
            self.activations[l].resize(np * w.cols(), 0.0);
            self.deltas[l].resize(np * w.cols(), 0.0);
        }
        let out = weights.last().map_or(0, Matrix::cols);
        self.scores.resize(np * out, 0.0);
    }
}

/// Gradients of the (summed) loss with respect to each weight matrix, same shapes as the weights.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Gradients {
    /// One matrix per layer, `(inputs + 1) × outputs`, row 0 for the bias.
    pub layers: Vec<Matrix>,
}

impl Gradients {
    /// Zero gradients shaped like `weights`.
    pub fn zeros_like(weights: &[Matrix]) -> Self {
        Self {
            layers: weights
                .iter()
                .map(|w| Matrix::zeros(w.rows(), w.cols()))
                .collect(),
        }
    }

    /// True if every value is finite.
    pub fn is_finite(&self) -> bool {
        self.layers.iter().all(Matrix::is_finite)
    }
}

/// Everything a pass needs to know about the network besides its weights.
#[derive(Clone, Copy, Debug)]
pub struct PassSpec<'a> {
    /// Activation of each hidden layer.
    pub hidden: &'a [Activation],
    /// The output head.
    pub head: OutputHead,
    /// The loss.
    pub loss: Loss,
    /// The vector code to run (every level gives the same bits; more than the CPU has runs
    /// what it has); [`Simd::best`] normally.
    pub simd: Simd,
}

/// Runs the forward pass over the rows set by [`Workspace::set_input`], leaving every layer's
/// output in `ws`.
pub fn forward(hidden: &[Activation], head: OutputHead, weights: &[Matrix], ws: &mut Workspace) {
    forward_layers(hidden, head, weights, ws, Simd::best());
}

/// A buffer the stage code writes in parts, each into its own rows or lane blocks (one thread
/// runs every part, one after the other).
#[derive(Clone, Copy)]
pub(crate) struct Cells {
    ptr: *mut f64,
    len: usize,
}

impl Cells {
    fn new(v: &mut [f64]) -> Self {
        Self {
            ptr: v.as_mut_ptr(),
            len: v.len(),
        }
    }

    /// Values `start..start + len`.
    ///
    /// # Safety
    /// No other part may use these values until the stage ends.
    #[allow(clippy::mut_from_ref)]
    unsafe fn slice(&self, start: usize, len: usize) -> &mut [f64] {
        assert!(
            start + len <= self.len,
            "cells {start}..{} of {}",
            start + len,
            self.len
        );
        // SAFETY: in bounds (checked); exclusive by the caller's promise.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.add(start), len) }
    }

    fn set(&self, i: usize, v: f64) {
        assert!(i < self.len, "cell {i} of {}", self.len);
        // SAFETY: in bounds (checked); each cell is written by one part only.
        unsafe { *self.ptr.add(i) = v };
    }
}

/// Calls `name(args…)` compiled for `simd` (a copy of the function in `paste_avx512` or
/// `paste_avx2`); every copy does the same IEEE operations.
macro_rules! with_simd {
    ($simd:expr, $name:ident($($arg:expr),* $(,)?)) => {{
        #[cfg(target_arch = "x86_64")]
        {
            match $simd {
                // SAFETY: the passes run checked levels only (`Simd::checked`): the CPU has it.
                Simd::Avx512 => unsafe { paste_avx512::$name($($arg),*) },
                // SAFETY: as above.
                Simd::Avx2 => unsafe { paste_avx2::$name($($arg),*) },
                Simd::Portable => $name($($arg),*),
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = $simd;
            $name($($arg),*)
        }
    }};
}

/// What follows a layer's affine map.
enum Layer<'a> {
    /// A hidden layer's activation.
    Hidden(Activation),
    /// The output head, and where the scores before it go.
    Output(OutputHead, &'a mut [f64]),
}

/// Rows `j0..` of a layer: `z = t(cbind(1, a) %*% w)`, then the activation or head.
#[inline(always)]
fn forward_stage(
    simd: Simd,
    input: &[f64],
    np: usize,
    w: &Matrix,
    (z, j0): (&mut [f64], usize),
    layer: Layer<'_>,
) {
    affine_t(input, np, w, z, j0);
    match layer {
        Layer::Hidden(activation) => activation.apply_with(simd, z),
        Layer::Output(head, scores) => {
            scores.copy_from_slice(z);
            apply_head_t(simd, head, z, np);
        }
    }
}

/// One part of a layer's backward stage: its lane blocks of the gradient and, below the first
/// layer, its rows of the previous layer's delta.
#[inline(always)]
fn backward_stage(
    simd: Simd,
    sides: Sides<'_>,
    g: &Cells,
    tile: &mut [f64],
    part: (usize, usize),
    w: &Matrix,
    back: Option<(Activation, &[f64], &mut [f64], usize)>,
) {
    #[cfg(target_arch = "x86_64")]
    if simd == Simd::Avx512 {
        // SAFETY: `simd` is a checked level (see `forward_backward`): the CPU has AVX-512.
        unsafe { wide::outer_sum(sides, g, tile, part) };
    } else {
        outer_sum_t(simd, sides, g, tile, part);
    }
    #[cfg(not(target_arch = "x86_64"))]
    outer_sum_t(simd, sides, g, tile, part);
    if let Some((activation, a, rows, k0)) = back {
        back_propagate_t(sides.delta, sides.np, w, activation, (a, rows), k0);
    }
}

/// A module of the stages compiled with the given target features.
macro_rules! paste_stages {
    ($module:ident, $features:literal) => {
        #[cfg(target_arch = "x86_64")]
        mod $module {
            //! The stages compiled with wider vectors.
            use super::*;

            #[target_feature(enable = $features)]
            pub(super) fn forward_stage(
                simd: Simd,
                input: &[f64],
                np: usize,
                w: &Matrix,
                z: (&mut [f64], usize),
                layer: Layer<'_>,
            ) {
                super::forward_stage(simd, input, np, w, z, layer);
            }

            #[target_feature(enable = $features)]
            pub(super) fn backward_stage(
                simd: Simd,
                sides: Sides<'_>,
                g: &Cells,
                tile: &mut [f64],
                part: (usize, usize),
                w: &Matrix,
                back: Option<(Activation, &[f64], &mut [f64], usize)>,
            ) {
                super::backward_stage(simd, sides, g, tile, part, w, back);
            }
        }
    };
}

paste_stages!(paste_avx2, "avx2,fma");
paste_stages!(paste_avx512, "avx512f,avx512dq,avx512vl,avx2,fma");

/// The rows `[start, end)` of `total` that part `part` of `parts` takes.
fn share(total: usize, part: usize, parts: usize) -> (usize, usize) {
    (total * part / parts, total * (part + 1) / parts)
}

#[inline(always)]
fn forward_layers(
    hidden: &[Activation],
    head: OutputHead,
    weights: &[Matrix],
    ws: &mut Workspace,
    simd: Simd,
) {
    // Every level below is a checked one: one the CPU has.
    let simd = simd.checked();
    ws.fit(weights);
    let np = ws.np;
    let last = weights.len() - 1;
    // a_l = f_l(cbind(1, a_{l−1}) %*% w_l), all transposed; each part takes some of the units.
    for (l, w) in weights.iter().enumerate() {
        let (done, rest) = ws.activations.split_at_mut(l);
        let input: &[f64] = done.last().unwrap_or(&ws.input);
        let out = w.cols();
        // The stage code splits a layer's units into parts (rows j0..j1); one thread runs the
        // one part that takes them all.
        let (parts, part) = (1, 0);
        {
            let (j0, j1) = share(out, part, parts);
            let zj = &mut rest[0][j0 * np..j1 * np];
            let layer = if l < last {
                Layer::Hidden(hidden[l])
            } else {
                Layer::Output(head, &mut ws.scores[j0 * np..j1 * np])
            };
            with_simd!(simd, forward_stage(simd, input, np, w, (zj, j0), layer));
        }
    }
}

/// One forward and backward pass over the rows set by [`Workspace::set_input`] with targets `y`:
/// fills `ws` (outputs) and `grads` with the gradient of the **summed** loss. No reduction,
/// penalty or update is applied here.
///
/// # Shapes
/// `y` has as many rows as the input; `weights[l]: [fan_in + 1, fan_out]`.
pub fn forward_backward(
    spec: PassSpec<'_>,
    weights: &[Matrix],
    y: &Targets,
    ws: &mut Workspace,
    grads: &mut Gradients,
) {
    // Every level below is a checked one: one the CPU has.
    let spec = PassSpec {
        simd: spec.simd.checked(),
        ..spec
    };
    forward_layers(spec.hidden, spec.head, weights, ws, spec.simd);
    let (n, np) = (ws.n, ws.np);
    let last = weights.len() - 1;
    let fits = grads.layers.len() == weights.len()
        && grads
            .layers
            .iter()
            .zip(weights)
            .all(|(g, w)| g.shape() == w.shape());
    if !fits {
        *grads = Gradients::zeros_like(weights);
    }
    output_delta_t(
        spec.head,
        spec.loss,
        &ws.activations[last],
        (n, np),
        y,
        &mut ws.deltas[last],
    );
    // The stage code splits the lane blocks of a gradient and the rows of a delta into parts,
    // each with its own tile; one thread runs the one part that takes them all.
    let (parts, part) = (1, 0);
    ws.tiles.resize_with(parts, Vec::new);
    let tile_len = match spec.simd {
        #[cfg(target_arch = "x86_64")]
        Simd::Avx512 => {
            let longest = weights.iter().map(|w| w.rows().max(w.cols())).max();
            wide::scratch_len(longest.unwrap_or(0))
        }
        _ => np * LANES,
    };
    // g_l = t(cbind(1, a_{l−1})) %*% δ_l;  δ_{l−1} = f'(a_{l−1}) · (δ_l %*% t(w_l[-1, ])).
    // Each part takes some lane blocks of g_l and some rows of δ_{l−1}.
    for l in (0..weights.len()).rev() {
        let input: &[f64] = if l == 0 {
            &ws.input
        } else {
            &ws.activations[l - 1]
        };
        let (lower, upper) = ws.deltas.split_at_mut(l);
        let delta: &[f64] = &upper[0];
        let back = lower.last_mut().map(|b| Cells::new(b));
        let g = Cells::new(grads.layers[l].as_mut_slice());
        let tile = &mut ws.tiles[part];
        tile.resize(tile_len, 0.0);
        let (ones, zeros): (&[f64], &[f64]) = (&ws.ones, &ws.zeros);
        {
            let back = back.as_ref().map(|back| {
                let inputs = weights[l].rows() - 1;
                let (k0, k1) = share(inputs, part, parts);
                // SAFETY: rows k0..k1 of δ_{l−1} belong to this part alone.
                let rows = unsafe { back.slice(k0 * np, (k1 - k0) * np) };
                (spec.hidden[l - 1], &input[k0 * np..k1 * np], rows, k0)
            });
            let sides = Sides {
                a: input,
                delta,
                np,
                rows: weights[l].rows(),
                out: weights[l].cols(),
                ones,
                zeros,
            };
            with_simd!(
                spec.simd,
                backward_stage(spec.simd, sides, &g, tile, (part, parts), &weights[l], back)
            );
        }
    }
}

/// The head on unit-major scores `z: [k][n]`.
#[inline(always)]
fn apply_head_t(simd: Simd, head: OutputHead, z: &mut [f64], n: usize) {
    match head {
        OutputHead::Sigmoid => super::exp::sigmoid_in_place_with(simd, z),
        OutputHead::Identity => {}
        OutputHead::Softmax => {
            // exp(z − m) / Σ exp(z − m) per sample, m = the sample's largest score.
            let k = z.len().checked_div(n).unwrap_or(0);
            let mut m = vec![f64::NEG_INFINITY; n];
            for zj in z.chunks_exact(n) {
                for (mv, &v) in m.iter_mut().zip(zj) {
                    *mv = mv.max(v);
                }
            }
            for zj in z.chunks_exact_mut(n) {
                for (v, &mv) in zj.iter_mut().zip(&m) {
                    *v -= mv;
                }
            }
            super::exp::exp_in_place_with(simd, z);
            let mut sum = vec![0.0; n];
            for zj in z.chunks_exact(n).take(k) {
                for (sv, &v) in sum.iter_mut().zip(zj) {
                    *sv += v;
                }
            }
            for zj in z.chunks_exact_mut(n) {
                for (v, &sv) in zj.iter_mut().zip(&sum) {
                    *v /= sv;
                }
            }
        }
    }
}

/// `∂loss/∂z` at the output, unit-major `[outputs][n]`.
///
/// Cross-entropy with its canonical head (sigmoid or softmax) gives the article's `ŷ − y`;
/// squared error `½(ŷ − y)²` goes through the head's derivative.
#[inline(always)]
fn output_delta_t(
    head: OutputHead,
    loss: Loss,
    p: &[f64],
    (n, np): (usize, usize),
    y: &Targets,
    delta: &mut [f64],
) {
    let units = p.len().checked_div(np).unwrap_or(0);
    // ŷ − y: the article's `y_hat - y`, and the R6 class's `output - (col(output) == Yid)`.
    delta.copy_from_slice(p);
    match y {
        Targets::Classes { labels, .. } if units == 1 => {
            for (d, &label) in delta.iter_mut().zip(labels) {
                *d -= label as f64;
            }
        }
        Targets::Classes { labels, .. } => {
            for (s, &label) in labels.iter().enumerate() {
                delta[label * np + s] -= 1.0;
            }
        }
        Targets::Values(v) => {
            for s in 0..n {
                for j in 0..units {
                    delta[j * np + s] -= v.get(s, j);
                }
            }
        }
    }
    match (loss, head) {
        (Loss::CrossEntropy, _) | (Loss::SquaredError, OutputHead::Identity) => {}
        (Loss::SquaredError, OutputHead::Sigmoid) => {
            for (d, &pv) in delta.iter_mut().zip(p) {
                *d *= pv * (1.0 - pv);
            }
        }
        (Loss::SquaredError, OutputHead::Softmax) => {
            // Softmax Jacobian: δ = p ⊙ (g − g·p) with g = ŷ − y.
            for s in 0..n {
                let gp: f64 = (0..units).map(|j| delta[j * np + s] * p[j * np + s]).sum();
                for j in 0..units {
                    delta[j * np + s] = p[j * np + s] * (delta[j * np + s] - gp);
                }
            }
        }
    }
    // Padded samples contribute nothing.
    for dj in delta.chunks_exact_mut(np) {
        dj[n..].fill(0.0);
    }
}

/// The target of output unit `j` for row `s`: one-hot for classes (the label itself for a single
/// sigmoid unit), the value for regression.
#[inline(always)]
fn target_value(y: &Targets, s: usize, j: usize, units: usize) -> f64 {
    match y {
        Targets::Classes { labels, .. } => {
            let label = labels[s];
            if units == 1 {
                label as f64
            } else {
                f64::from(u8::from(label == j))
            }
        }
        Targets::Values(v) => v.get(s, j),
    }
}

/// The summed loss over rows from the output layer's scores (logits) and outputs.
///
/// Cross-entropy is computed from the logits so that it stays finite when a probability rounds to
/// 0 or 1: `softplus(z) − y z` for sigmoid units, `logsumexp(z) − z_y` for softmax.
pub fn summed_loss(head: OutputHead, loss: Loss, scores: &Matrix, p: &Matrix, y: &Targets) -> f64 {
    let (n, units) = p.shape();
    let mut total = 0.0;
    for s in 0..n {
        let (zs, ps) = (scores.row(s), p.row(s));
        total += row_loss(head, loss, (|j| zs[j], |j| ps[j]), y, (s, units));
    }
    total
}

impl Workspace {
    /// [`summed_loss`] of the last pass, read where the pass left its scores and outputs (no
    /// copies): the same numbers, summed in the same order.
    pub fn summed_loss(&self, head: OutputHead, loss: Loss, y: &Targets) -> f64 {
        self.summed_loss_onto(0.0, head, loss, y)
    }

    /// `total` plus the loss of each row of the last pass, added one row at a time: passes over
    /// consecutive pieces of rows, each added onto the last one's total, give the sum of one
    /// pass over them all, bit for bit.
    pub fn summed_loss_onto(
        &self,
        mut total: f64,
        head: OutputHead,
        loss: Loss,
        y: &Targets,
    ) -> f64 {
        let np = self.np;
        let p = self.activations.last().map_or(&[][..], |a| a);
        let units = p.len().checked_div(np).unwrap_or(0);
        for s in 0..self.n {
            let (z, p) = (|j: usize| self.scores[j * np + s], |j: usize| p[j * np + s]);
            total += row_loss(head, loss, (z, p), y, (s, units));
        }
        total
    }

    /// How many rows of the last pass the network classifies as `labels` says
    /// ([`super::predicted_class`]), read where the pass left its outputs.
    pub fn correct(&self, labels: &[usize]) -> usize {
        let np = self.np;
        let p = self.activations.last().map_or(&[][..], |a| a);
        let units = p.len().checked_div(np).unwrap_or(0);
        labels
            .iter()
            .enumerate()
            .take(self.n)
            .filter(|&(s, &label)| super::predicted_class_of(units, |j| p[j * np + s]) == label)
            .count()
    }
}

/// The loss of row `s` from its scores `z(j)` and outputs `p(j)`, `j < units`.
#[inline(always)]
fn row_loss(
    head: OutputHead,
    loss: Loss,
    (z, p): (impl Fn(usize) -> f64, impl Fn(usize) -> f64),
    y: &Targets,
    (s, units): (usize, usize),
) -> f64 {
    match (loss, head) {
        (Loss::CrossEntropy, OutputHead::Softmax) => {
            let m = (0..units).map(&z).fold(f64::NEG_INFINITY, f64::max);
            let sum: f64 = (0..units).map(|j| (z(j) - m).exp()).sum();
            let label = match y {
                Targets::Classes { labels, .. } => labels[s],
                Targets::Values(_) => 0,
            };
            // (m − z_y) first: exact when the label holds the largest score, so equal huge
            // logits give ln k, not the rounding error of 1e300 + ln k − 1e300.
            (m - z(label)) + sum.ln()
        }
        (Loss::CrossEntropy, _) => (0..units)
            .map(|j| {
                let (z, t) = (z(j), target_value(y, s, j, units));
                // softplus(z) = max(z, 0) + log1p(exp(−|z|)).
                z.max(0.0) + (-z.abs()).exp().ln_1p() - t * z
            })
            .sum(),
        (Loss::SquaredError, _) => (0..units)
            .map(|j| {
                let e = p(j) - target_value(y, s, j, units);
                0.5 * e * e
            })
            .sum(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affine_sums_in_order_with_bias_row_first() {
        let a = Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0, 4.0], vec![0.5, 0.0]]).unwrap();
        let w = Matrix::from_rows(&[vec![0.1, -1.0], vec![1.0, 2.0], vec![10.0, 0.0]]).unwrap();
        let mut a_t = vec![0.0; 2 * BLOCK];
        transpose_into(a.as_slice(), 3, 2, &mut a_t, BLOCK);
        let mut z_t = vec![0.0; 2 * BLOCK];
        affine_t(&a_t, BLOCK, &w, &mut z_t, 0);
        assert_eq!(z_t[..3], [0.1 + 1.0 + 20.0, 0.1 + 3.0 + 40.0, 0.1 + 0.5]);
        assert_eq!(z_t[BLOCK..BLOCK + 3], [-1.0 + 2.0, -1.0 + 6.0, -1.0 + 1.0]);
    }

    #[test]
    fn every_simd_level_gives_the_same_bits() {
        use rand::rngs::StdRng;
        use rand::{RngExt as _, SeedableRng as _};
        let mut rng = StdRng::seed_from_u64(7);
        let cases: [(usize, &[usize], usize, OutputHead, usize); 6] = [
            (2, &[30], 1, OutputHead::Sigmoid, 200),
            (4, &[5], 3, OutputHead::Softmax, 150),
            (10, &[40, 9], 3, OutputHead::Softmax, 301),
            (33, &[7], 1, OutputHead::Identity, 17),
            (3, &[], 2, OutputHead::Softmax, 1000),
            (2, &[70, 3, 12], 1, OutputHead::Sigmoid, 2),
        ];
        for (inputs, hidden, outputs, head, n) in cases {
            let sizes: Vec<usize> = std::iter::once(inputs)
                .chain(hidden.iter().copied())
                .chain([outputs])
                .collect();
            let weights: Vec<Matrix> = sizes
                .windows(2)
                .map(|w| {
                    let values = (0..(w[0] + 1) * w[1]).map(|_| rng.random_range(-1.0..1.0));
                    Matrix::from_vec(w[0] + 1, w[1], values.collect()).unwrap()
                })
                .collect();
            let x = Matrix::from_vec(
                n,
                inputs,
                (0..n * inputs)
                    .map(|_| rng.random_range(-3.0..3.0))
                    .collect(),
            )
            .unwrap();
            let y = if head == OutputHead::Identity {
                Targets::Values(Matrix::from_vec(n, 1, (0..n).map(|i| i as f64).collect()).unwrap())
            } else {
                let k = if head == OutputHead::Sigmoid {
                    2
                } else {
                    outputs
                };
                Targets::Classes {
                    labels: (0..n).map(|i| i % k).collect(),
                    n_classes: k,
                }
            };
            let activations = [Activation::Sigmoid, Activation::Tanh, Activation::LeakyRelu];
            let hidden: Vec<Activation> = (0..hidden.len()).map(|l| activations[l % 3]).collect();
            let run = |simd: Simd| {
                let spec = PassSpec {
                    hidden: &hidden,
                    head,
                    loss: Loss::CrossEntropy,
                    simd,
                };
                let (mut ws, mut grads) = (Workspace::default(), Gradients::default());
                ws.set_input(&x);
                forward_backward(spec, &weights, &y, &mut ws, &mut grads);
                let bits =
                    |m: &Matrix| m.as_slice().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                let mut all = bits(&ws.output());
                grads.layers.iter().for_each(|g| all.extend(bits(g)));
                all
            };
            let portable = run(Simd::Portable);
            for simd in Simd::available() {
                assert!(
                    run(simd) == portable,
                    "{simd:?} differs: {sizes:?}, {n} rows"
                );
            }
        }
    }

    #[test]
    fn transpose_round_trips() {
        let m = Matrix::from_vec(3, 11, (0..33).map(f64::from).collect()).unwrap();
        let t = transpose(&m);
        assert_eq!(t.shape(), (11, 3));
        assert_eq!(t.get(10, 2), m.get(2, 10));
        assert_eq!(transpose(&t), m);
    }
}
