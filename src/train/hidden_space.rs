//! The article's thesis made visible: the network is "a logistic regression on a transformed
//! space". The rows drawn in the last hidden layer's space (its two units, or the first two
//! principal components of its activations, or two units picked), with the output layer's
//! boundaries there: the output scores are affine in the plane, so a sigmoid output's boundary
//! is a line, and the classes of a softmax (or several sigmoids) meet along straight pieces.

use crate::nn::{Matrix, Network, NnError, OutputHead};

/// How the hidden layer's activations become two coordinates.
#[derive(Clone, Debug, PartialEq)]
pub enum HiddenAxes {
    /// Two units themselves (0-based): exact, and the boundary is exact.
    Units(usize, usize),
    /// The first two principal components of the activations on the rows given: `mean` and
    /// the unit-length directions.
    Pca {
        /// The activations' mean.
        mean: Vec<f64>,
        /// The first and second principal directions.
        directions: [Vec<f64>; 2],
        /// The share of the activations' variance the two directions keep.
        kept: f64,
    },
}

/// Which plane of the hidden layer to draw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AxesChoice {
    /// The two units of a layer of two (or its one unit), else the first two principal
    /// components.
    #[default]
    Auto,
    /// Two units (0-based), the others held at their mean over the rows.
    Units(usize, usize),
}

/// Where two classes meet in the plane: the straight piece (of the line where their scores are
/// equal) on which both lead every other class.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassBoundary {
    /// The two classes (outputs), the lesser first.
    pub classes: (usize, usize),
    /// The piece's ends, or an empty list where they never lead together inside the box.
    pub points: Vec<[f64; 2]>,
}

/// The last hidden layer's space for a network and the rows measured.
#[derive(Clone, Debug, PartialEq)]
pub struct HiddenSpace {
    /// The weight layer whose output is drawn (the last hidden layer).
    pub layer: usize,
    /// How coordinates are taken.
    pub axes: HiddenAxes,
    /// The layer's mean activation over the rows: where the units off the plane are held.
    pub mean: Vec<f64>,
    /// True when the plane holds the whole layer (it has at most two units, drawn as they are):
    /// then the boundaries are the network's own; otherwise they are those of the plane through
    /// the mean.
    pub exact: bool,
    /// Each output's score `z_k = c0 + c1 u + c2 v` in the plane's coordinates `(u, v)`.
    pub scores: Vec<[f64; 3]>,
    /// The output boundary `c0 + c1 u + c2 v = 0` for one sigmoid output (`scores[0]`).
    pub boundary: Option<[f64; 3]>,
}

impl HiddenSpace {
    /// The space of `network`'s last hidden layer, its axes fitted on the activations of rows
    /// `x` (the principal components where there are more than two units); `None` for a
    /// network with no hidden layer.
    pub fn fit(network: &Network, x: &Matrix) -> Result<Option<Self>, NnError> {
        Self::fit_with(network, x, AxesChoice::Auto)
    }

    /// [`Self::fit`] on the plane `choice` names (units past the layer's are refused).
    pub fn fit_with(
        network: &Network,
        x: &Matrix,
        choice: AxesChoice,
    ) -> Result<Option<Self>, NnError> {
        let Some(layer) = network.architecture().hidden.len().checked_sub(1) else {
            return Ok(None);
        };
        let h = &network.forward_layers(x)?[layer];
        let units = h.cols();
        let axes = match choice {
            AxesChoice::Units(i, j) if i >= units || j >= units => {
                return Err(NnError::Invalid(format!(
                    "layer {} has {units} units: no unit {}",
                    layer + 1,
                    i.max(j) + 1
                )));
            }
            AxesChoice::Units(i, j) => HiddenAxes::Units(i, j),
            AxesChoice::Auto if units <= 2 => HiddenAxes::Units(0, 1.min(units - 1)),
            AxesChoice::Auto => pca(h),
        };
        let mean = column_means(h);
        let exact = matches!(axes, HiddenAxes::Units(i, j) if units <= 2 && (i != j || units == 1));
        let out = &network.weights()[layer + 1];
        let scores: Vec<[f64; 3]> = (0..out.cols())
            .map(|k| {
                let w: Vec<f64> = (1..out.rows()).map(|i| out.get(i, k)).collect();
                let b = out.get(0, k);
                match &axes {
                    HiddenAxes::Units(i, j) => {
                        // The units off the plane at their mean.
                        let held: f64 = (0..units)
                            .filter(|m| m != i && m != j)
                            .map(|m| w[m] * mean[m])
                            .sum();
                        let c2 = if i == j { 0.0 } else { w[*j] };
                        [b + held, w[*i], c2]
                    }
                    HiddenAxes::Pca {
                        mean, directions, ..
                    } => [
                        b + dot(&w, mean),
                        dot(&w, &directions[0]),
                        dot(&w, &directions[1]),
                    ],
                }
            })
            .collect();
        let boundary = (network.architecture().head == OutputHead::Sigmoid && scores.len() == 1)
            .then(|| scores[0]);
        Ok(Some(Self {
            layer,
            axes,
            mean,
            exact,
            scores,
            boundary,
        }))
    }

    /// The class the output gives at `p` in the plane: the greatest score's, or for one
    /// sigmoid output, class 1 where its score is positive.
    pub fn class_at(&self, p: [f64; 2]) -> Option<usize> {
        if let [only] = self.scores.as_slice() {
            return Some(usize::from(score(*only, p) > 0.0));
        }
        (0..self.scores.len())
            .map(|k| (k, score(self.scores[k], p)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(k, _)| k)
    }

    /// Where the classes meet inside the box `lo`–`hi`, for two or more outputs (softmax, or
    /// one sigmoid per class): for each pair, the pieces of the line of equal scores on which
    /// the two lead, found in `steps` pieces along it. Empty for one output.
    pub fn class_boundaries(&self, lo: [f64; 2], hi: [f64; 2], steps: usize) -> Vec<ClassBoundary> {
        let k = self.scores.len();
        let mut out = Vec::new();
        if k < 2 {
            return out;
        }
        for a in 0..k {
            for b in a + 1..k {
                let [c0, c1, c2] = [0, 1, 2].map(|i| self.scores[a][i] - self.scores[b][i]);
                let Some((from, to)) = clip_line([c0, c1, c2], lo, hi) else {
                    continue;
                };
                let steps = steps.max(1);
                let at = |t: f64| {
                    [
                        from[0] + t * (to[0] - from[0]),
                        from[1] + t * (to[1] - from[1]),
                    ]
                };
                let leads = |p: [f64; 2]| {
                    let tie = score(self.scores[a], p).max(score(self.scores[b], p));
                    (0..k)
                        .filter(|&m| m != a && m != b)
                        .all(|m| score(self.scores[m], p) <= tie)
                };
                // Runs of pieces whose middles the two lead.
                let mut run: Option<(f64, f64)> = None;
                let mut flush = |run: &mut Option<(f64, f64)>| {
                    if let Some((s, e)) = run.take() {
                        out.push(ClassBoundary {
                            classes: (a, b),
                            points: vec![at(s), at(e)],
                        });
                    }
                };
                for i in 0..steps {
                    let (s, e) = (i as f64 / steps as f64, (i + 1) as f64 / steps as f64);
                    if leads(at((s + e) / 2.0)) {
                        run = Some(run.map_or((s, e), |(s0, _)| (s0, e)));
                    } else {
                        flush(&mut run);
                    }
                }
                flush(&mut run);
            }
        }
        out
    }

    /// The plane's coordinates of each row of `x` (the network's inputs).
    pub fn project(&self, network: &Network, x: &Matrix) -> Result<Vec<[f64; 2]>, NnError> {
        let h = &network.forward_layers(x)?[self.layer];
        Ok(h.iter_rows().map(|row| self.coordinates(row)).collect())
    }

    /// The plane's coordinates of one row of activations.
    pub fn coordinates(&self, h: &[f64]) -> [f64; 2] {
        match &self.axes {
            HiddenAxes::Units(i, j) if i != j => [h[*i], h[*j]],
            HiddenAxes::Units(i, _) => [h[*i], 0.0],
            HiddenAxes::Pca {
                mean, directions, ..
            } => {
                let centred: Vec<f64> = h.iter().zip(mean).map(|(a, m)| a - m).collect();
                [dot(&centred, &directions[0]), dot(&centred, &directions[1])]
            }
        }
    }
}

fn score(c: [f64; 3], p: [f64; 2]) -> f64 {
    c[0] + c[1] * p[0] + c[2] * p[1]
}

/// The piece of the line `c0 + c1 u + c2 v = 0` inside the box `lo`–`hi`, if it crosses it.
fn clip_line(c: [f64; 3], lo: [f64; 2], hi: [f64; 2]) -> Option<([f64; 2], [f64; 2])> {
    let [c0, c1, c2] = c;
    let mut hits: Vec<[f64; 2]> = Vec::new();
    if c2 != 0.0 {
        for u in [lo[0], hi[0]] {
            let v = -(c0 + c1 * u) / c2;
            if (lo[1]..=hi[1]).contains(&v) {
                hits.push([u, v]);
            }
        }
    }
    if c1 != 0.0 {
        for v in [lo[1], hi[1]] {
            let u = -(c0 + c2 * v) / c1;
            if (lo[0]..=hi[0]).contains(&u) {
                hits.push([u, v]);
            }
        }
    }
    let first = *hits.first()?;
    // The hit furthest from the first (corners are hit twice).
    let far = hits.iter().copied().max_by(|a, b| {
        let d = |p: &[f64; 2]| (p[0] - first[0]).powi(2) + (p[1] - first[1]).powi(2);
        d(a).total_cmp(&d(b))
    })?;
    (far != first).then_some((first, far))
}

fn column_means(h: &Matrix) -> Vec<f64> {
    let (n, k) = h.shape();
    let mut mean = vec![0.0; k];
    for row in h.iter_rows() {
        mean.iter_mut().zip(row).for_each(|(m, v)| *m += v);
    }
    mean.iter_mut().for_each(|m| *m /= n.max(1) as f64);
    mean
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The first two principal components of the rows of `h`, by power iteration on the covariance
/// (deterministic: the same start every time), the second deflated of the first.
fn pca(h: &Matrix) -> HiddenAxes {
    let k = h.cols();
    let mean = column_means(h);
    let mut cov = vec![vec![0.0; k]; k];
    for row in h.iter_rows() {
        for i in 0..k {
            let di = row[i] - mean[i];
            for j in 0..k {
                cov[i][j] += di * (row[j] - mean[j]);
            }
        }
    }
    let total: f64 = (0..k).map(|i| cov[i][i]).sum();
    let times = |m: &[Vec<f64>], v: &[f64]| -> Vec<f64> { m.iter().map(|r| dot(r, v)).collect() };
    let normalise = |v: &mut Vec<f64>| {
        let norm = dot(v, v).sqrt();
        if norm > 0.0 {
            v.iter_mut().for_each(|x| *x /= norm);
        }
    };
    let mut directions: [Vec<f64>; 2] = [vec![0.0; k], vec![0.0; k]];
    let mut kept = 0.0;
    for (c, direction) in directions.iter_mut().enumerate() {
        // A start with a part along every axis: 1, 1/2, 1/3, … (then shifted per component).
        let mut v: Vec<f64> = (0..k).map(|i| 1.0 / (1 + (i + c) % k) as f64).collect();
        normalise(&mut v);
        for _ in 0..200 {
            let mut next = times(&cov, &v);
            normalise(&mut next);
            v = next;
        }
        let value = dot(&v, &times(&cov, &v));
        kept += value;
        // Deflate: remove this component's variance before finding the next.
        for i in 0..k {
            for j in 0..k {
                cov[i][j] -= value * v[i] * v[j];
            }
        }
        *direction = v;
    }
    HiddenAxes::Pca {
        mean,
        directions,
        kept: if total > 0.0 { kept / total } else { 1.0 },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::{Activation, Architecture, HiddenLayer, Init};
    use rand::SeedableRng as _;

    fn network(units: usize) -> Network {
        network_with(units, 1, OutputHead::Sigmoid)
    }

    fn network_with(units: usize, outputs: usize, head: OutputHead) -> Network {
        Architecture {
            inputs: 2,
            hidden: vec![HiddenLayer {
                units,
                activation: Activation::Tanh,
            }],
            outputs,
            head,
        }
        .init(Init::Normal, &mut rand::rngs::StdRng::seed_from_u64(3))
        .unwrap()
    }

    fn rows() -> Matrix {
        Matrix::from_vec(
            40,
            2,
            (0..80)
                .map(|i| ((i * 37 % 23) as f64 - 11.0) / 5.0)
                .collect(),
        )
        .unwrap()
    }

    #[test]
    fn two_units_are_the_axes_and_the_boundary_side_is_the_prediction() {
        let net = network(2);
        let x = rows();
        let space = HiddenSpace::fit(&net, &x).unwrap().unwrap();
        assert_eq!(space.axes, HiddenAxes::Units(0, 1));
        let points = space.project(&net, &x).unwrap();
        let [c0, c1, c2] = space.boundary.unwrap();
        let p = net.forward(&x).unwrap();
        for (point, prob) in points.iter().zip(p.as_slice()) {
            let z = c0 + c1 * point[0] + c2 * point[1];
            assert_eq!(
                z > 0.0,
                *prob > 0.5,
                "the output is a logistic regression here"
            );
        }
    }

    #[test]
    fn principal_components_are_orthonormal_and_keep_the_most_variance() {
        let net = network(6);
        let x = rows();
        let space = HiddenSpace::fit(&net, &x).unwrap().unwrap();
        let HiddenAxes::Pca {
            directions, kept, ..
        } = &space.axes
        else {
            panic!("six units: principal components")
        };
        assert!((dot(&directions[0], &directions[0]) - 1.0).abs() < 1e-9);
        assert!((dot(&directions[1], &directions[1]) - 1.0).abs() < 1e-9);
        assert!(dot(&directions[0], &directions[1]).abs() < 1e-6);
        assert!(*kept > 0.0 && *kept <= 1.0 + 1e-9);
        // The first direction's variance is at least that of every unit axis.
        let points = space.project(&net, &x).unwrap();
        let var = |v: Vec<f64>| {
            let m = v.iter().sum::<f64>() / v.len() as f64;
            v.iter().map(|a| (a - m).powi(2)).sum::<f64>()
        };
        let first = var(points.iter().map(|p| p[0]).collect());
        let h = &net.forward_layers(&x).unwrap()[0];
        for j in 0..6 {
            assert!(first >= var(h.column(j)) - 1e-9, "unit {j}");
        }
        assert_eq!(
            HiddenSpace::fit(&network_without_hidden(), &x).unwrap(),
            None
        );
    }

    #[test]
    fn softmax_classes_meet_on_straight_pieces_and_each_row_lies_in_its_predicted_class() {
        let net = network_with(2, 3, OutputHead::Softmax);
        let x = rows();
        let space = HiddenSpace::fit(&net, &x).unwrap().unwrap();
        assert!(space.exact);
        assert_eq!(space.boundary, None);
        let points = space.project(&net, &x).unwrap();
        let predicted = net.predict_classes(&x).unwrap();
        for (p, &class) in points.iter().zip(&predicted) {
            assert_eq!(space.class_at(*p), Some(class));
        }
        let (lo, hi) = ([-1.0, -1.0], [1.0, 1.0]);
        let pieces = space.class_boundaries(lo, hi, 400);
        assert!(!pieces.is_empty());
        for piece in &pieces {
            let (a, b) = piece.classes;
            for t in [0.25, 0.5, 0.75] {
                let [p, q] = [piece.points[0], piece.points[1]];
                let m = [p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])];
                let z: Vec<f64> = space.scores.iter().map(|c| score(*c, m)).collect();
                assert!((z[a] - z[b]).abs() < 1e-9, "on the line of equal scores");
                let top = z[a].max(z[b]);
                assert!(z.iter().all(|&v| v <= top + 1e-9), "the two lead there");
            }
        }
    }

    #[test]
    fn two_picked_units_of_a_wider_layer_hold_the_rest_at_their_mean() {
        let net = network(5);
        let x = rows();
        let space = HiddenSpace::fit_with(&net, &x, AxesChoice::Units(3, 1))
            .unwrap()
            .unwrap();
        assert!(!space.exact);
        let h = &net.forward_layers(&x).unwrap()[0];
        let points = space.project(&net, &x).unwrap();
        for (p, row) in points.iter().zip(h.iter_rows()) {
            assert_eq!(*p, [row[3], row[1]]);
        }
        // At the mean activation itself, the plane's score is the network's.
        let w = &net.weights()[1];
        let z = w.get(0, 0) + (0..5).map(|m| w.get(m + 1, 0) * space.mean[m]).sum::<f64>();
        let at_mean = score(space.scores[0], [space.mean[3], space.mean[1]]);
        assert!((z - at_mean).abs() < 1e-12);
        assert!(HiddenSpace::fit_with(&net, &x, AxesChoice::Units(0, 5)).is_err());
    }

    fn network_without_hidden() -> Network {
        Architecture {
            inputs: 2,
            hidden: vec![],
            outputs: 1,
            head: OutputHead::Sigmoid,
        }
        .init(Init::Normal, &mut rand::rngs::StdRng::seed_from_u64(1))
        .unwrap()
    }
}
