//! The arithmetic of forward and back propagation, in the article's summation order.
//!
//! R evaluates `cbind(1, a) %*% w` and `t(cbind(1, a)) %*% delta` with reference BLAS, which sums
//! each dot product **sequentially over the inner index**, starting from zero, with separate
//! multiply and add. Hidden-5 training on the hot dogs is chaotic enough that another order moves
//! its final weights by about 1e-3, so every sum here keeps that order. Speed comes from working
//! on many independent sums at once (across outputs, samples or inputs), never from reordering one
//! sum, and from a vectorised `exp` ([`super::exp`]). On x86-64 the hot loop is compiled a second
//! time with AVX2 and picked at run time; both versions do the same IEEE operations in the same
//! order (Rust never fuses a multiply and an add on its own), so their results are identical.

use super::{Activation, Loss, Matrix, OutputHead, Targets};

pub use super::exp::{sigmoid, sigmoid_in_place};

/// `z = cbind(1, a) %*% w`: `z[s][j] = w[0][j] + Σ_k a[s][k] · w[k+1][j]`, summed in order of k.
///
/// # Shapes
/// `a: [n, in]`, `w: [in + 1, out]` (row 0 the bias), `z: [n, out]`.
#[inline(always)]
pub fn affine(a: &Matrix, w: &Matrix, z: &mut Matrix) {
    let (n, inputs) = a.shape();
    let out = w.cols();
    debug_assert_eq!(w.rows(), inputs + 1);
    debug_assert_eq!(z.shape(), (n, out));
    let (a, w, z) = (a.as_slice(), w.as_slice(), z.as_mut_slice());
    let bias = &w[..out];
    // Four samples at a time give four independent sums even when `out` is 1.
    let mut s = 0;
    while s + 4 <= n {
        let zb = &mut z[s * out..(s + 4) * out];
        for i in 0..4 {
            zb[i * out..(i + 1) * out].copy_from_slice(bias);
        }
        for k in 0..inputs {
            let wk = &w[(k + 1) * out..(k + 2) * out];
            for i in 0..4 {
                let x = a[(s + i) * inputs + k];
                let zi = &mut zb[i * out..(i + 1) * out];
                for (zj, &wj) in zi.iter_mut().zip(wk) {
                    *zj += x * wj;
                }
            }
        }
        s += 4;
    }
    for s in s..n {
        let zs = &mut z[s * out..(s + 1) * out];
        zs.copy_from_slice(bias);
        for k in 0..inputs {
            let x = a[s * inputs + k];
            let wk = &w[(k + 1) * out..(k + 2) * out];
            for (zj, &wj) in zs.iter_mut().zip(wk) {
                *zj += x * wj;
            }
        }
    }
}

/// `g = t(cbind(1, a)) %*% delta`: `g[0][j] = Σ_s delta[s][j]`, `g[k+1][j] = Σ_s a[s][k] delta[s][j]`,
/// summed in order of s.
///
/// # Shapes
/// `a: [n, in]`, `delta: [n, out]`, `g: [in + 1, out]`; `scratch` is any buffer (resized here).
#[inline(always)]
fn outer_sum(a: &Matrix, delta: &Matrix, g: &mut Matrix, scratch: &mut Vec<f64>) {
    let (n, inputs) = a.shape();
    let out = delta.cols();
    let (a, d) = (a.as_slice(), delta.as_slice());
    if out >= 4 || out > inputs {
        // Vectorise across outputs: g[k] += a[s][k] · delta[s].
        let g = g.as_mut_slice();
        g.fill(0.0);
        for s in 0..n {
            let ds = &d[s * out..(s + 1) * out];
            for (gj, &dj) in g[..out].iter_mut().zip(ds) {
                *gj += dj;
            }
            for k in 0..inputs {
                let x = a[s * inputs + k];
                let gk = &mut g[(k + 1) * out..(k + 2) * out];
                for (gj, &dj) in gk.iter_mut().zip(ds) {
                    *gj += x * dj;
                }
            }
        }
    } else {
        // Few outputs, many inputs: vectorise across inputs in a transposed buffer
        // gt[j] = [Σ delta[s][j], Σ a[s][0] delta[s][j], …], then transpose back.
        let width = inputs + 1;
        scratch.clear();
        scratch.resize(out * width, 0.0);
        for s in 0..n {
            let xs = &a[s * inputs..(s + 1) * inputs];
            for j in 0..out {
                let dj = d[s * out + j];
                let gt = &mut scratch[j * width..(j + 1) * width];
                gt[0] += dj;
                for (gk, &x) in gt[1..].iter_mut().zip(xs) {
                    *gk += x * dj;
                }
            }
        }
        for j in 0..out {
            for k in 0..width {
                g.set(k, j, scratch[j * width + k]);
            }
        }
    }
}

/// `back = delta %*% t(w[-1, ])`: `back[s][k] = Σ_j delta[s][j] · w[k+1][j]`, summed in order of j.
///
/// # Shapes
/// `delta: [n, out]`, `w: [in + 1, out]`, `back: [n, in]`; `wt` receives `t(w[-1, ])`, `[out, in]`.
#[inline(always)]
fn back_propagate(delta: &Matrix, w: &Matrix, back: &mut Matrix, wt: &mut Vec<f64>) {
    let (n, out) = delta.shape();
    let inputs = w.rows() - 1;
    wt.clear();
    wt.resize(out * inputs, 0.0);
    for k in 0..inputs {
        for j in 0..out {
            wt[j * inputs + k] = w.get(k + 1, j);
        }
    }
    let (d, b) = (delta.as_slice(), back.as_mut_slice());
    for s in 0..n {
        let bs = &mut b[s * inputs..(s + 1) * inputs];
        bs.fill(0.0);
        for j in 0..out {
            let dj = d[s * out + j];
            for (bk, &wk) in bs.iter_mut().zip(&wt[j * inputs..(j + 1) * inputs]) {
                *bk += dj * wk;
            }
        }
    }
}

/// Buffers for one forward and backward pass, reused between iterations.
#[derive(Clone, Debug, Default)]
pub struct Workspace {
    /// Output of each layer after its activation, `[n, units]`; the network's output last.
    pub activations: Vec<Matrix>,
    /// The output layer's scores before the head (logits), `[n, outputs]`.
    pub scores: Matrix,
    /// `∂loss/∂z` of each layer, `[n, units]`.
    deltas: Vec<Matrix>,
    scratch: Vec<f64>,
}

impl Workspace {
    /// The network's output for the rows of the last pass.
    pub fn output(&self) -> &Matrix {
        self.activations.last().unwrap_or(&self.scores)
    }

    fn fit(&mut self, n: usize, weights: &[Matrix]) {
        let layers = weights.len();
        self.activations.resize_with(layers, Matrix::default);
        self.deltas.resize_with(layers, Matrix::default);
        for (l, w) in weights.iter().enumerate() {
            if self.activations[l].shape() != (n, w.cols()) {
                self.activations[l] = Matrix::zeros(n, w.cols());
                self.deltas[l] = Matrix::zeros(n, w.cols());
            }
        }
        let out = weights.last().map_or(0, Matrix::cols);
        if self.scores.shape() != (n, out) {
            self.scores = Matrix::zeros(n, out);
        }
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
}

/// One forward and backward pass over rows `x` with targets `y`: fills `ws` (outputs) and `grads`
/// with the gradient of the **summed** loss. No reduction, penalty or update is applied here.
///
/// # Shapes
/// `x: [n, inputs]`; `y` has n rows; `weights[l]: [fan_in + 1, fan_out]`.
pub fn forward_backward(
    spec: PassSpec<'_>,
    weights: &[Matrix],
    x: &Matrix,
    y: &Targets,
    ws: &mut Workspace,
    grads: &mut Gradients,
) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            unsafe { forward_backward_avx2(spec, weights, x, y, ws, grads) };
            return;
        }
    }
    forward_backward_portable(spec, weights, x, y, ws, grads);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn forward_backward_avx2(
    spec: PassSpec<'_>,
    weights: &[Matrix],
    x: &Matrix,
    y: &Targets,
    ws: &mut Workspace,
    grads: &mut Gradients,
) {
    forward_backward_portable(spec, weights, x, y, ws, grads);
}

#[inline(always)]
fn forward_backward_portable(
    spec: PassSpec<'_>,
    weights: &[Matrix],
    x: &Matrix,
    y: &Targets,
    ws: &mut Workspace,
    grads: &mut Gradients,
) {
    let n = x.rows();
    let last = weights.len() - 1;
    ws.fit(n, weights);
    if grads.layers.len() != weights.len() {
        *grads = Gradients::zeros_like(weights);
    }

    // Forward: a_l = f_l(cbind(1, a_{l−1}) %*% w_l).
    for (l, w) in weights.iter().enumerate() {
        let (done, rest) = ws.activations.split_at_mut(l);
        let input = done.last().unwrap_or(x);
        let z = &mut rest[0];
        affine(input, w, z);
        if l < last {
            apply_activation(spec.hidden[l], z.as_mut_slice());
        } else {
            ws.scores.as_mut_slice().copy_from_slice(z.as_slice());
            apply_head(spec.head, z);
        }
    }

    // Output delta ∂loss/∂z_L.
    output_delta(
        spec.head,
        spec.loss,
        &ws.activations[last],
        y,
        &mut ws.deltas[last],
    );

    // Backward: g_l = t(cbind(1, a_{l−1})) %*% δ_l; δ_{l−1} = f'(a_{l−1}) · (δ_l %*% t(w_l[-1, ])).
    for l in (0..weights.len()).rev() {
        let input = if l == 0 { x } else { &ws.activations[l - 1] };
        outer_sum(input, &ws.deltas[l], &mut grads.layers[l], &mut ws.scratch);
        if l > 0 {
            let (lower, upper) = ws.deltas.split_at_mut(l);
            let back = &mut lower[l - 1];
            back_propagate(&upper[0], &weights[l], back, &mut ws.scratch);
            let activation = spec.hidden[l - 1];
            for (b, &a) in back
                .as_mut_slice()
                .iter_mut()
                .zip(ws.activations[l - 1].as_slice())
            {
                *b *= activation.derivative_from_output(a);
            }
        }
    }
}

#[inline(always)]
fn apply_activation(activation: Activation, z: &mut [f64]) {
    match activation {
        Activation::Sigmoid => sigmoid_in_place(z),
        other => other.apply(z),
    }
}

#[inline(always)]
fn apply_head(head: OutputHead, z: &mut Matrix) {
    match head {
        OutputHead::Sigmoid => sigmoid_in_place(z.as_mut_slice()),
        other => other.apply_rows(z),
    }
}

/// The target of output unit `j` for row `s`: one-hot for classes (the label itself for a single
/// sigmoid unit), the value for regression.
#[inline(always)]
pub fn target_value(y: &Targets, s: usize, j: usize, units: usize) -> f64 {
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

/// `∂loss/∂z` at the output for each row, `[n, outputs]`.
///
/// Cross-entropy with its canonical head (sigmoid or softmax) gives the article's `ŷ − y`;
/// squared error `½(ŷ − y)²` goes through the head's derivative.
#[inline(always)]
fn output_delta(head: OutputHead, loss: Loss, p: &Matrix, y: &Targets, delta: &mut Matrix) {
    let (n, units) = p.shape();
    for s in 0..n {
        let ps = p.row(s);
        let ds = delta.row_mut(s);
        for j in 0..units {
            ds[j] = ps[j] - target_value(y, s, j, units);
        }
        match (loss, head) {
            (Loss::CrossEntropy, _) | (Loss::SquaredError, OutputHead::Identity) => {}
            (Loss::SquaredError, OutputHead::Sigmoid) => {
                for (d, &pj) in ds.iter_mut().zip(ps) {
                    *d *= pj * (1.0 - pj);
                }
            }
            (Loss::SquaredError, OutputHead::Softmax) => {
                // Softmax Jacobian: δ = p ⊙ (g − g·p) with g = ŷ − y.
                let gp: f64 = ds.iter().zip(ps).map(|(g, p)| g * p).sum();
                for (d, &pj) in ds.iter_mut().zip(ps) {
                    *d = pj * (*d - gp);
                }
            }
        }
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
        total += match (loss, head) {
            (Loss::CrossEntropy, OutputHead::Softmax) => {
                let m = zs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let sum: f64 = zs.iter().map(|&z| (z - m).exp()).sum();
                let label = match y {
                    Targets::Classes { labels, .. } => labels[s],
                    Targets::Values(_) => 0,
                };
                m + sum.ln() - zs[label]
            }
            (Loss::CrossEntropy, _) => (0..units)
                .map(|j| {
                    let (z, t) = (zs[j], target_value(y, s, j, units));
                    // softplus(z) = max(z, 0) + log1p(exp(−|z|)).
                    z.max(0.0) + (-z.abs()).exp().ln_1p() - t * z
                })
                .sum(),
            (Loss::SquaredError, _) => (0..units)
                .map(|j| {
                    let e = ps[j] - target_value(y, s, j, units);
                    0.5 * e * e
                })
                .sum(),
        };
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affine_sums_in_order_with_bias_row_first() {
        let a = Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0, 4.0], vec![0.5, 0.0]]).unwrap();
        let w = Matrix::from_rows(&[vec![0.1, -1.0], vec![1.0, 2.0], vec![10.0, 0.0]]).unwrap();
        let mut z = Matrix::zeros(3, 2);
        affine(&a, &w, &mut z);
        assert_eq!(z.row(0), &[0.1 + 1.0 + 20.0, -1.0 + 2.0]);
        assert_eq!(z.row(1), &[0.1 + 3.0 + 40.0, -1.0 + 6.0]);
        assert_eq!(z.row(2), &[0.1 + 0.5, -1.0 + 1.0]);
    }
}
