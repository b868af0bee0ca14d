//! Why a run diverged or stalls, named by layer: the likely cause a notice gives, read from the
//! layers' norms in the history and from [`health`](super::health).
//!
//! - A divergence is an **exploding update** in the layer whose last good step was largest
//!   against its weights (`γ‖∇W‖ / ‖W‖`), or whose gradient grew the most since the iteration
//!   recorded before.
//! - A stall (the loss improved by less than [`STALL_IMPROVEMENT`] over the second half of at
//!   least [`STALL_ITERATIONS`] iterations, short of a perfect fit) is put down to, in order:
//!   steps too small (one gradient step [`STEP_PROBE`] or more times the learning rate would
//!   lower the loss by [`PROBE_GAIN`] or more at once: measured), dead ReLU units, saturated
//!   sigmoid or tanh units, a gradient vanishing toward the input (at the run's start), or none
//!   of these (the network has settled for its size).

use crate::nn::{Activation, Network};
use crate::text::significant;

use crate::nn::{Matrix, NnError, Targets};

use super::health::{LayerHealth, SATURATION_Z, health};
use super::{
    History, HistoryPoint, LayerNorms, Optimizer, TrainConfig, evaluate, layer_norms,
    objective_gradient,
};

/// A run has stalled once its loss improved by less than this share over the second half of it.
pub const STALL_IMPROVEMENT: f64 = 1e-3;
/// The fewest iterations before a run can count as stalled.
pub const STALL_ITERATIONS: u64 = 5_000;
/// A classifier this accurate on its training rows has not stalled: it has learnt them.
const LEARNT: f64 = 0.99;
/// A stall comes of too small steps if one step along the gradient at this many times the
/// learning rate (or more) would lower the loss by [`PROBE_GAIN`] or more.
pub const STEP_PROBE: f64 = 100.0;
/// See [`STEP_PROBE`]: a share of the loss.
pub const PROBE_GAIN: f64 = 0.01;
/// The probe tries the rate times 10⁰, 10¹, … 10¹².
const PROBE_DECADES: i32 = 12;
/// A layer's gradient this small against the output layer's has vanished.
const VANISHED: f64 = 1e-3;
/// An update this large against the layer's weights, or a gradient grown this many times,
/// names the layer in a divergence.
const LARGE_STEP: f64 = 0.1;
const LARGE_GROWTH: f64 = 10.0;

/// What went wrong in a layer.
#[derive(Clone, Debug, PartialEq)]
pub enum Cause {
    /// The layer's steps grew too large: `γ‖∇W‖/‖W‖` at the last good weights (not for Adam),
    /// and its gradient's norm at the iteration recorded before and there.
    Exploding {
        /// `γ‖∇W‖ / ‖W‖` at the last good step, for gradient descent and momentum.
        step: Option<f64>,
        /// The iteration recorded before the last good step and `‖∇W‖` there, if any.
        from: Option<(u64, f64)>,
        /// The last good step's iteration and `‖∇W‖` there.
        to: (u64, f64),
    },
    /// The layer's gradient is this share of the output layer's.
    Vanishing {
        /// `‖∇W_l‖ / ‖∇W_out‖`.
        ratio: f64,
    },
    /// This share of the layer's unit-rows have `|z| >` [`SATURATION_Z`].
    Saturated {
        /// Between 0 and 1.
        share: f64,
    },
    /// This many of the layer's ReLU units are never positive.
    Dead {
        /// Dead units.
        units: usize,
    },
    /// One step along the gradient at a larger rate would lower the loss at once.
    SmallSteps {
        /// The learning rate.
        rate: f64,
        /// The probe's best rate.
        better: f64,
        /// The loss's relative drop in one step at `better`.
        gain: f64,
    },
    /// No layer shows trouble: the run settled where this network can get.
    Settled,
}

/// A likely cause and the layer (0 is the first weight layer) it lies in.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// The weight layer, or `None` when no layer is to blame.
    pub layer: Option<usize>,
    /// What is wrong there.
    pub cause: Cause,
}

/// A stall: the loss barely moved between two recorded iterations.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stall {
    /// The earlier iteration (about half the later one).
    pub since: u64,
    /// The loss then.
    pub loss_then: f64,
    /// The latest iteration.
    pub until: u64,
    /// The loss now.
    pub loss_now: f64,
    /// Training accuracy now (`None` for regression).
    pub accuracy: Option<f64>,
}

impl Stall {
    /// The loss's relative improvement over the stall (negative if it rose).
    pub fn improvement(&self) -> f64 {
        (self.loss_then - self.loss_now) / self.loss_then.abs().max(f64::MIN_POSITIVE)
    }
}

/// Weight layer `l` of `network` for a sentence: `layer 1 (tanh, 5 units)` or `the output
/// layer (sigmoid, 1 unit)`.
pub fn layer_name(network: &Network, l: usize) -> String {
    let arch = network.architecture();
    let plural = |n: usize| if n == 1 { "unit" } else { "units" };
    match arch.hidden.get(l) {
        Some(h) => format!(
            "layer {} ({}, {} {})",
            l + 1,
            h.activation.name(),
            h.units,
            plural(h.units)
        ),
        None => format!(
            "the output layer ({}, {} {})",
            arch.head.name(),
            arch.outputs,
            plural(arch.outputs)
        ),
    }
}

/// The points that carry norms, oldest first.
fn measured(history: &History) -> impl Iterator<Item = (&HistoryPoint, &[LayerNorms])> {
    history
        .points()
        .iter()
        .zip(history.norms())
        .filter(|(_, n)| !n.is_empty())
        .map(|(p, n)| (p, n.as_slice()))
}

/// The layer to blame for a divergence of `network` (at its last good weights, which pass `at`,
/// 1-based, would use) under `config`, measured on rows `x`, `y` (the training rows or a
/// sample) and against the last point of `history` before; `None` if no layer stands out.
pub fn divergence(
    history: &History,
    network: &Network,
    config: &TrainConfig,
    (x, y): (&Matrix, &Targets),
    at: u64,
) -> Result<Option<Finding>, NnError> {
    let now = layer_norms(
        network.weights(),
        &objective_gradient(network, config, x, y)?.layers,
    );
    let before = measured(history)
        .filter(|(p, n)| p.iteration < at && n.len() == now.len())
        .last();
    let uses_rate = config.optimizer != Optimizer::Adam;
    let mut best: Option<(f64, Finding)> = None;
    for (l, b) in now.iter().enumerate() {
        let growth = before.map_or(1.0, |(_, n)| {
            b.gradient / n[l].gradient.max(f64::MIN_POSITIVE)
        });
        let step =
            uses_rate.then(|| config.learning_rate * b.gradient / b.weight.max(f64::MIN_POSITIVE));
        // Steps and growth on one scale: each at its threshold scores 1.
        let score = (growth / LARGE_GROWTH).max(step.map_or(0.0, |s| s / LARGE_STEP));
        if score >= 1.0 && best.as_ref().is_none_or(|(s, _)| score > *s) {
            let cause = Cause::Exploding {
                step,
                from: before.map(|(p, n)| (p.iteration, n[l].gradient)),
                to: (at, b.gradient),
            };
            best = Some((
                score,
                Finding {
                    layer: Some(l),
                    cause,
                },
            ));
        }
    }
    Ok(best.map(|(_, f)| f))
}

/// The stall in `history`, if the run has stalled (see the module docs).
pub fn stall(history: &History) -> Option<Stall> {
    let now = history.last()?;
    if now.iteration < STALL_ITERATIONS || now.train_accuracy.is_some_and(|a| a >= LEARNT) {
        return None;
    }
    let points = history.points();
    let half = points.partition_point(|p| p.iteration <= now.iteration / 2);
    let then = points.get(half.checked_sub(1)?)?;
    let stall = Stall {
        since: then.iteration,
        loss_then: then.train_loss,
        until: now.iteration,
        loss_now: now.train_loss,
        accuracy: now.train_accuracy,
    };
    // A loss that rose is no stall (the data changed under it, or the run is blowing up).
    let improvement = stall.improvement();
    (stall.loss_now.is_finite() && (0.0..STALL_IMPROVEMENT).contains(&improvement)).then_some(stall)
}

/// The likely cause of a stall of `network` on rows `x`, `y` under `config` (the training rows,
/// or a sample of them), with the run's `history` if kept: see the module docs.
pub fn stall_cause(
    network: &Network,
    config: &TrainConfig,
    (x, y): (&Matrix, &Targets),
    history: Option<&History>,
) -> Result<Finding, NnError> {
    if let Some((better, gain)) = probe_steps(network, config, x, y)?
        && better >= STEP_PROBE * config.learning_rate
        && gain >= PROBE_GAIN
    {
        return Ok(Finding {
            layer: None,
            cause: Cause::SmallSteps {
                rate: config.learning_rate,
                better,
                gain,
            },
        });
    }
    let start = history.and_then(|h| measured(h).next()).map(|(_, n)| n);
    Ok(health_cause(&health(network, config, x, y)?, start))
}

/// The rate (the learning rate times a power of ten) whose one step along the objective's
/// gradient lowers the loss most, and the loss's relative drop then; `None` if none lowers it.
pub fn probe_steps(
    network: &Network,
    config: &TrainConfig,
    x: &Matrix,
    y: &Targets,
) -> Result<Option<(f64, f64)>, NnError> {
    let gradient = objective_gradient(network, config, x, y)?;
    let objective = |net: &Network| {
        evaluate(
            net,
            x,
            y,
            config.loss,
            config.reduction,
            config.l1,
            config.l2,
        )
        .map(|m| m.loss)
    };
    let start = objective(network)?;
    let mut best: Option<(f64, f64)> = None;
    let mut probe = network.clone();
    for k in 0..=PROBE_DECADES {
        let rate = config.learning_rate * 10f64.powi(k);
        for ((w, w0), g) in probe
            .weights_mut()
            .iter_mut()
            .zip(network.weights())
            .zip(&gradient.layers)
        {
            for ((v, v0), g) in w
                .as_mut_slice()
                .iter_mut()
                .zip(w0.as_slice())
                .zip(g.as_slice())
            {
                *v = v0 - rate * g;
            }
        }
        let loss = objective(&probe)?;
        if loss.is_finite() && loss < start && best.is_none_or(|(_, l)| loss < l) {
            best = Some((rate, loss));
        }
    }
    Ok(best.map(|(rate, loss)| (rate, (start - loss) / start.abs().max(f64::MIN_POSITIVE))))
}

/// The likely cause of a stall from the layers' `health` and their norms at the `start` of the
/// run (if kept): dead, saturated, vanishing or none.
pub fn health_cause(health: &[LayerHealth], start: Option<&[LayerNorms]>) -> Finding {
    let dead = health
        .iter()
        .enumerate()
        .filter_map(|(l, h)| h.dead.map(|d| (l, d, h.units)))
        .filter(|&(_, d, units)| d > 0 && 2 * d >= units)
        .max_by_key(|&(_, d, _)| d);
    if let Some((l, units, _)) = dead {
        return Finding {
            layer: Some(l),
            cause: Cause::Dead { units },
        };
    }
    let saturated = health
        .iter()
        .enumerate()
        .filter_map(|(l, h)| h.saturated.map(|s| (l, s)))
        .filter(|&(_, s)| s > 0.5)
        .max_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((l, share)) = saturated {
        return Finding {
            layer: Some(l),
            cause: Cause::Saturated { share },
        };
    }
    // The gradients at the start show how the network passes them back before any fit
    // (at a standstill the residual that carries them is spent); now's, if none were kept.
    let gradients = start.map_or_else(
        || health.iter().map(|h| h.gradient_norm).collect(),
        |n| n.iter().map(|n| n.gradient).collect::<Vec<f64>>(),
    );
    if let Some((out, hidden)) = gradients.split_last()
        && hidden.len() >= 2
        && *out > 0.0
    {
        let (l, ratio) = hidden
            .iter()
            .map(|g| g / out)
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap_or((0, 1.0));
        if ratio < VANISHED {
            return Finding {
                layer: Some(l),
                cause: Cause::Vanishing { ratio },
            };
        }
    }
    Finding {
        layer: None,
        cause: Cause::Settled,
    }
}

impl Finding {
    /// The finding as a sentence for a student, with what to try, naming the layers of `network`.
    pub fn describe(&self, network: &Network) -> String {
        let layer = self
            .layer
            .map_or_else(String::new, |l| layer_name(network, l));
        let n = |v: f64| significant(v, 2);
        match &self.cause {
            Cause::Exploding { step, from, to } => {
                let size = step.map_or_else(String::new, |s| {
                    format!(" its last step was {} times the size of its weights;", n(s))
                });
                let norm = match from {
                    Some((i, from)) => format!(
                        "went from {} at iteration {i} to {} at iteration {}",
                        n(*from),
                        n(to.1),
                        to.0
                    ),
                    None => format!("was {} at iteration {}", n(to.1), to.0),
                };
                format!("the update exploded in {layer}:{size} its gradient's norm {norm}")
            }
            Cause::Vanishing { ratio } => format!(
                "the gradient vanishes toward the input: in {layer} it was {} of the output \
                 layer's, so the first layers hardly moved. Try ReLU units, fewer layers or \
                 Glorot/He initial weights",
                n(*ratio)
            ),
            Cause::Saturated { share } => {
                let name = self
                    .layer
                    .and_then(|l| network.architecture().hidden.get(l))
                    .map(|h| h.activation);
                let derivative = match name {
                    Some(Activation::Tanh) => "tanh′",
                    _ => "σ′",
                };
                format!(
                    "{layer} is saturated: {:.0} % of its units' values have |z| > \
                     {SATURATION_Z}, where {derivative} is near 0, so it learns slowly. Try \
                     standardised inputs, Glorot initial weights or a smaller learning rate",
                    share * 100.0
                )
            }
            Cause::Dead { units } => {
                let total = self
                    .layer
                    .and_then(|l| network.architecture().hidden.get(l))
                    .map_or(0, |h| h.units);
                format!(
                    "{units} of the {total} ReLU units of {layer} are dead (never positive on \
                     the training rows), so they no longer learn. Try leaky ReLU, He initial \
                     weights or a smaller learning rate"
                )
            }
            Cause::SmallSteps { rate, better, gain } => format!(
                "the steps are too small: one step at rate {} instead of {} would lower the \
                 loss by {} % at once. Try a larger learning rate",
                crate::text::number(*better),
                crate::text::number(*rate),
                n(gain * 100.0)
            ),
            Cause::Settled => "no layer shows trouble (none saturated or dead, and the \
                 gradient does not vanish): it has settled near a minimum for this network. \
                 More hidden units, another seed or another learning rate may get further"
                .to_owned(),
        }
    }
}

/// The stall as a sentence: how little the loss moved, and over which iterations.
pub fn describe_stall(stall: &Stall) -> String {
    let accuracy = stall.accuracy.map_or_else(String::new, |a| {
        format!(", {:.1} % of the training rows right", a * 100.0)
    });
    format!(
        "Training has stalled: from iteration {} to {} the loss went from {} to {}, only {} % \
         lower{accuracy}",
        stall.since,
        stall.until,
        significant(stall.loss_then, 4),
        significant(stall.loss_now, 4),
        significant(stall.improvement() * 100.0, 2),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history(losses: impl Fn(u64) -> f64, accuracy: f64, until: u64) -> History {
        let mut h = History::new(16_384);
        for i in 1..=until {
            h.push(HistoryPoint {
                iteration: i,
                train_loss: losses(i),
                train_accuracy: Some(accuracy),
                test_loss: None,
                test_accuracy: None,
            });
        }
        h
    }

    #[test]
    fn a_flat_loss_short_of_a_fit_is_a_stall_over_the_runs_second_half() {
        let stall = stall(&history(|i| 0.5 + 1e-3 / i as f64, 0.7, 8_000)).unwrap();
        assert!(stall.since <= 4_000 && stall.since > 3_000, "{stall:?}");
        assert_eq!(stall.until, 8_000);
        assert!(stall.improvement() < STALL_IMPROVEMENT);
        let text = describe_stall(&stall);
        assert!(
            text.contains("% lower, 70.0 % of the training rows right"),
            "{text}"
        );
    }

    #[test]
    fn a_falling_loss_a_fit_or_a_short_run_is_no_stall() {
        assert_eq!(stall(&history(|i| 100.0 / i as f64, 0.7, 8_000)), None);
        assert_eq!(stall(&history(|_| 0.5, 1.0, 8_000)), None);
        assert_eq!(stall(&history(|_| 0.5, 0.7, STALL_ITERATIONS - 1)), None);
        assert!(stall(&history(|_| 0.5, 0.7, STALL_ITERATIONS)).is_some());
        // A loss that rose (an added point) is not a stall.
        assert_eq!(stall(&history(|i| 0.5 + i as f64 * 1e-6, 0.7, 8_000)), None);
    }

    #[test]
    fn thinning_keeps_each_points_norms_with_it() {
        let mut h = History::new(16);
        for i in 1..=1_000u64 {
            let norms = vec![LayerNorms {
                weight: i as f64,
                gradient: -(i as f64),
            }];
            h.push_with_norms(
                HistoryPoint {
                    iteration: i,
                    train_loss: 1.0,
                    train_accuracy: None,
                    test_loss: None,
                    test_accuracy: None,
                },
                norms,
            );
        }
        assert_eq!(h.points().len(), h.norms().len());
        for (p, n) in h.points().iter().zip(h.norms()) {
            assert_eq!(n[0].weight, p.iteration as f64);
        }
    }
}
