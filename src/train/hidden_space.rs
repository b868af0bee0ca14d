//! The article's thesis made visible: the network is "a logistic regression on a transformed
//! space". The rows drawn in the last hidden layer's space (its two units, or the first two
//! principal components of its activations), with the output layer's boundary there.

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

/// The last hidden layer's space for a network and the rows measured.
#[derive(Clone, Debug, PartialEq)]
pub struct HiddenSpace {
    /// The weight layer whose output is drawn (the last hidden layer).
    pub layer: usize,
    /// How coordinates are taken.
    pub axes: HiddenAxes,
    /// The output boundary `c0 + c1 u + c2 v = 0` in the plane's coordinates `(u, v)`, for one
    /// sigmoid output (exact on two units; on principal components, with the other components
    /// held at the mean).
    pub boundary: Option<[f64; 3]>,
}

impl HiddenSpace {
    /// The space of `network`'s last hidden layer, its axes fitted on the activations of rows
    /// `x`; `None` for a network with no hidden layer.
    pub fn fit(network: &Network, x: &Matrix) -> Result<Option<Self>, NnError> {
        let Some(layer) = network.architecture().hidden.len().checked_sub(1) else {
            return Ok(None);
        };
        let h = &network.forward_layers(x)?[layer];
        let units = h.cols();
        let axes = if units <= 2 {
            HiddenAxes::Units(0, 1.min(units - 1))
        } else {
            pca(h)
        };
        let out = &network.weights()[layer + 1];
        let boundary = (network.architecture().head == OutputHead::Sigmoid && out.cols() == 1)
            .then(|| {
                let w: Vec<f64> = (1..out.rows()).map(|i| out.get(i, 0)).collect();
                let b = out.get(0, 0);
                match &axes {
                    HiddenAxes::Units(i, j) if i != j => [b, w[*i], w[*j]],
                    HiddenAxes::Units(i, _) => [b, w[*i], 0.0],
                    HiddenAxes::Pca {
                        mean, directions, ..
                    } => [
                        b + dot(&w, mean),
                        dot(&w, &directions[0]),
                        dot(&w, &directions[1]),
                    ],
                }
            });
        Ok(Some(Self {
            layer,
            axes,
            boundary,
        }))
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

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The first two principal components of the rows of `h`, by power iteration on the covariance
/// (deterministic: the same start every time), the second deflated of the first.
fn pca(h: &Matrix) -> HiddenAxes {
    let (n, k) = h.shape();
    let mut mean = vec![0.0; k];
    for row in h.iter_rows() {
        mean.iter_mut().zip(row).for_each(|(m, v)| *m += v);
    }
    mean.iter_mut().for_each(|m| *m /= n.max(1) as f64);
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
        Architecture {
            inputs: 2,
            hidden: vec![HiddenLayer {
                units,
                activation: Activation::Tanh,
            }],
            outputs: 1,
            head: OutputHead::Sigmoid,
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
