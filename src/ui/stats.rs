//! The current numbers, the baseline and the confusion matrices.

use egui::Ui;

use crate::app::commands::{Command, Stats};
use crate::nn::Reduction;
use crate::train::worker::RunView;
use crate::train::{BASELINE_ITERATIONS, Metrics, RunMetrics, Stop};

use super::{DataView, format_number, format_percent};

/// A loss figure, or a dash for none (or for one that is not finite).
fn loss_text(v: Option<f64>) -> String {
    v.filter(|v| v.is_finite())
        .map_or_else(|| "–".to_owned(), format_number)
}

/// A count with spaces between thousands: `302 080`.
pub fn format_count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// Losses and accuracies of training and test rows, and the speed. Losses are per row, as the
/// curves draw them; with the article's summed loss the sum (what the trainer minimises and the
/// stopping rule compares) is shown as well.
pub fn numbers_ui(
    ui: &mut Ui,
    view: &DataView<'_>,
    main: &RunView,
    stats: Stats,
    diverged_at: Option<u64>,
) {
    let summed = main.config.reduction == Reduction::Sum;
    let per_row = |m: &Metrics| {
        if summed {
            m.loss / m.rows.max(1) as f64
        } else {
            m.loss
        }
    };
    let train = main.metrics.as_ref().map(|m| &m.train);
    let test = main.metrics.as_ref().and_then(|m| m.test.as_ref());
    let has_test = !view.prepared.test_rows.is_empty();
    egui::Grid::new("numbers")
        .num_columns(3)
        .spacing([16.0, 3.0])
        .show(ui, |ui| {
            ui.label("");
            ui.weak(format!("training ({})", view.prepared.train_rows.len()));
            if has_test {
                ui.weak(format!("test ({})", view.prepared.test_rows.len()));
            }
            ui.end_row();
            ui.label("loss per row").on_hover_text(if summed {
                "The summed loss divided by the rows: the figure the curves draw"
            } else {
                "The mean loss over the rows: the figure the curves draw"
            });
            ui.strong(loss_text(train.map(per_row)));
            if has_test {
                ui.label(loss_text(test.map(per_row)));
            }
            ui.end_row();
            if summed {
                ui.weak("summed loss").on_hover_text(
                    "The article's figure: the loss summed over the rows, which training \
                     minimises and the stopping rule (stop when summed loss <) compares",
                );
                ui.weak(loss_text(train.map(|m| m.loss)));
                if has_test {
                    ui.weak(loss_text(test.map(|m| m.loss)));
                }
                ui.end_row();
            }
            if view.is_classification() {
                ui.label("accuracy")
                    .on_hover_text("The share of rows whose predicted class is their class");
                ui.strong(format_percent(train.and_then(|m| m.accuracy)));
                if has_test {
                    ui.strong(format_percent(test.and_then(|m| m.accuracy)));
                }
                ui.end_row();
            }
        });
    let speed = if main.busy() {
        format!(
            "{} iterations/s",
            format_count(stats.iterations_per_second.round() as u64)
        )
    } else {
        "paused".to_owned()
    };
    ui.weak(format!("{speed} · frame {:.1} ms", stats.frame_ms))
        .on_hover_text(
            "How many training iterations run per second (on their own thread), and how long \
             the window took to draw its last frame",
        );
    ui.weak(format!(
        "learning rate now {}",
        format_number(
            main.config
                .schedule
                .rate(main.config.learning_rate, main.iteration)
        )
    ))
    .on_hover_text(
        "The step size of the next iteration: the learning rate, as the schedule (More training \
         settings) has changed it by now",
    );
    if let Some(iteration) = diverged_at {
        // Said only when the figures are older than the weights kept.
        let figures = main
            .metrics
            .as_ref()
            .map(|m| m.iteration)
            .filter(|&i| i != main.iteration)
            .map_or_else(String::new, |i| {
                format!(" (figures: iteration {})", format_count(i))
            });
        ui.colored_label(
            ui.visuals().error_fg_color,
            format!(
                "Diverged at iteration {}: showing the last finite state{figures}.",
                format_count(iteration)
            ),
        );
    }
}

/// The loss of `m` per row (the curves' figure) under `reduction`.
fn per_row(m: &Metrics, reduction: Reduction) -> f64 {
    if reduction == Reduction::Sum {
        m.loss / m.rows.max(1) as f64
    } else {
        m.loss
    }
}

/// What run `run` is doing, in a word or two.
fn status_text(run: &RunView) -> String {
    match &run.stopped {
        Some(Stop::Diverged { iteration, .. }) => {
            format!("diverged at {}", format_count(*iteration))
        }
        Some(Stop::Tolerance { .. }) => "stopped (tolerance)".to_owned(),
        None if run.reached_limit => "done".to_owned(),
        None if run.busy() => format!(
            "{}/s",
            format_count(run.iterations_per_second.round() as u64)
        ),
        None => "paused".to_owned(),
    }
}

/// Across runs of one setup under several seeds: the range and median of the final training
/// and test accuracies.
pub fn seed_range_ui(ui: &mut Ui, runs: &[RunView]) {
    let range = |values: Vec<f64>| super::min_median_max(values);
    let metrics: Vec<_> = runs.iter().filter_map(|r| r.metrics.as_ref()).collect();
    let train = range(metrics.iter().filter_map(|m| m.train.accuracy).collect());
    let test = range(
        metrics
            .iter()
            .filter_map(|m| m.test.as_ref().and_then(|t| t.accuracy))
            .collect(),
    );
    let pct = |v: f64| super::format_percent(Some(v));
    ui.strong(format!("Across the {} seeds", runs.len()));
    for (name, r) in [("training accuracy", train), ("test accuracy", test)] {
        if let Some([lo, median, hi]) = r {
            ui.label(format!(
                "{name}: {} to {} (median {})",
                pct(lo),
                pct(hi),
                pct(median)
            ));
        }
    }
}

/// The numbers of every run side by side, a column per run: its settings, iteration, losses,
/// accuracies and speed. Clicking a column's head picks the run the controls edit.
pub fn compare_table_ui(ui: &mut Ui, view: &DataView<'_>, runs: &[RunView], selected: &mut usize) {
    let has_test = !view.prepared.test_rows.is_empty();
    let classes = view.is_classification();
    egui::Grid::new("compare-numbers")
        .num_columns(runs.len() + 1)
        .spacing([12.0, 3.0])
        .striped(true)
        .show(ui, |ui| {
            ui.label("");
            for k in 0..runs.len() {
                let text = egui::RichText::new(format!("run {}", k + 1))
                    .strong()
                    .color(super::run_color(k));
                ui.selectable_value(selected, k, text)
                    .on_hover_text("Edit this run's network and training");
            }
            ui.end_row();
            ui.weak("hidden");
            for run in runs {
                let hidden = &run.spec.network.hidden;
                ui.label(if hidden.is_empty() {
                    "none".to_owned()
                } else {
                    hidden
                        .iter()
                        .map(|h| format!("{} {}", h.units, h.activation.name()))
                        .collect::<Vec<_>>()
                        .join(", ")
                });
            }
            ui.end_row();
            ui.weak("optimiser");
            for run in runs {
                ui.label(format!(
                    "{} η {}",
                    run.config.optimizer.name(),
                    format_number(run.config.learning_rate)
                ));
            }
            ui.end_row();
            ui.weak("iteration");
            for run in runs {
                ui.label(format_count(run.iteration));
            }
            ui.end_row();
            // Each figure of each run, from its latest metrics (a dash before there are any).
            let row = |ui: &mut Ui, name: &str, value: &dyn Fn(&RunView, &RunMetrics) -> String| {
                ui.label(name);
                for run in runs {
                    ui.strong(
                        run.metrics
                            .as_deref()
                            .map_or_else(|| "–".to_owned(), |m| value(run, m)),
                    );
                }
                ui.end_row();
            };
            row(ui, "training loss per row", &|run, m| {
                loss_text(Some(per_row(&m.train, run.config.reduction)))
            });
            if has_test {
                row(ui, "test loss per row", &|run, m| {
                    loss_text(m.test.as_ref().map(|t| per_row(t, run.config.reduction)))
                });
            }
            if classes {
                row(ui, "training accuracy", &|_, m| {
                    format_percent(m.train.accuracy)
                });
                if has_test {
                    row(ui, "test accuracy", &|_, m| {
                        format_percent(m.test.as_ref().and_then(|t| t.accuracy))
                    });
                }
            }
            ui.weak("status");
            for run in runs {
                ui.label(status_text(run));
            }
            ui.end_row();
        });
}

/// The network without hidden layers (logistic regression for classes, linear regression for
/// numbers) beside the network, with a button that trains the network the same way.
pub fn baseline_ui(
    ui: &mut Ui,
    view: &DataView<'_>,
    b: &RunView,
    baseline_seed: u64,
    commands: &mut Vec<Command>,
) {
    let at = b.iteration;
    let finished = b.finished();
    let figures = b.metrics.as_ref().filter(|_| finished);
    let train_accuracy = figures.and_then(|m| m.train.accuracy);
    let test_accuracy = figures.and_then(|m| m.test.as_ref().and_then(|t| t.accuracy));
    let status = match &b.stopped {
        Some(Stop::Diverged { .. }) => b.stopped.as_ref().map(ToString::to_string),
        _ => b.error.clone(),
    };
    let kind = if view.is_classification() {
        "logistic regression"
    } else {
        "linear regression"
    };
    ui.horizontal_wrapped(|ui| {
        ui.label(format!("Baseline ({kind}):"))
            .on_hover_text(format!(
                "No hidden layer, fitted to convergence like the article's glm: Adam, learning \
                 rate 0.05, mean loss, {} iterations from N(0, 1) weights (seed {}).",
                format_count(BASELINE_ITERATIONS),
                baseline_seed
            ));
        if view.is_classification() {
            ui.strong(format_percent(train_accuracy));
            if test_accuracy.is_some() {
                ui.label(format!("test {}", format_percent(test_accuracy)));
            }
        } else if let Some(m) = figures {
            // Each figure stays on one line; the row wraps between them.
            let figure = |ui: &mut Ui, text: String| {
                ui.add(egui::Label::new(text).wrap_mode(egui::TextWrapMode::Extend));
            };
            figure(
                ui,
                format!("loss per row {}", loss_text(Some(m.train.loss))),
            );
            if let Some(r2) = m.train_r2 {
                figure(ui, format!("R² {r2:.3}"));
            }
            if let Some(r2) = m.test_r2 {
                figure(ui, format!("test R² {r2:.3}"));
            }
        }
        if !finished && status.is_none() {
            ui.weak(format!("(training, iteration {})", format_count(at)));
        }
        if let Some(status) = &status {
            ui.label(status);
        }
        if ui
            .button(format!("Use {kind}"))
            .on_hover_text(
                "Train the network as the baseline was trained (no hidden layer, its weights, \
                 optimiser, rate and iterations), reaching the figure shown",
            )
            .clicked()
        {
            commands.push(Command::UseBaseline);
        }
    });
}

/// One confusion matrix: rows actual, columns predicted, with class names.
pub fn confusion_ui(ui: &mut Ui, id: &str, title: &str, metrics: &Metrics, names: &[String]) {
    ui.strong(format!("{title} ({})", metrics.rows))
        .on_hover_text("Rows: actual class; columns: predicted class");
    egui::Grid::new(id).striped(true).show(ui, |ui| {
        ui.weak("actual");
        for name in names {
            ui.weak(name);
        }
        ui.end_row();
        for (k, row) in metrics.confusion.iter().enumerate() {
            ui.label(names.get(k).map_or("?", String::as_str));
            for (j, count) in row.iter().enumerate() {
                if j == k {
                    ui.strong(count.to_string());
                } else {
                    ui.label(count.to_string());
                }
            }
            ui.end_row();
        }
    });
}

/// Rough width of one confusion matrix of these classes, points (to choose its layout before
/// drawing it).
fn confusion_width(names: &[String]) -> f32 {
    let chars: usize = names.iter().map(|n| n.chars().count()).sum();
    let widest = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    7.5 * (chars + widest.max(6)) as f32 + 14.0 * (names.len() + 1) as f32
}

/// True if the training and test matrices fit side by side in `width` points.
fn side_by_side(names: &[String], width: f32) -> bool {
    2.0 * confusion_width(names) + 16.0 <= width
}

/// Training and test confusion matrices, side by side if they fit, else one above the other.
pub fn confusions_ui(ui: &mut Ui, view: &DataView<'_>, main: &RunView) {
    let names = view.dataset.class_names();
    let metrics = main.metrics.as_ref();
    let train = metrics
        .map(|m| &m.train)
        .filter(|m| !m.confusion.is_empty());
    let test = metrics
        .and_then(|m| m.test.as_ref())
        .filter(|m| !m.confusion.is_empty());
    match (train, test) {
        (Some(train), Some(test)) if side_by_side(names, ui.available_width()) => {
            ui.columns(2, |columns| {
                confusion_ui(&mut columns[0], "confusion-train", "Training", train, names);
                confusion_ui(&mut columns[1], "confusion-test", "Test", test, names);
            });
        }
        (train, test) => {
            if let Some(train) = train {
                confusion_ui(ui, "confusion-train", "Training", train, names);
            }
            if let Some(test) = test {
                confusion_ui(ui, "confusion-test", "Test", test, names);
            }
        }
    }
}

/// Height of [`confusions_ui`] in `width` points, points (to lay out what goes above it).
pub fn confusions_height(view: &DataView<'_>, width: f32) -> f32 {
    let names = view.dataset.class_names();
    if names.is_empty() {
        return 0.0;
    }
    // A title and one row per class plus the header, as egui lays them out by default.
    let one = 30.0 + 23.0 * (names.len() as f32 + 1.0);
    let stacked = !view.prepared.test_rows.is_empty() && !side_by_side(names, width);
    if stacked { 2.0 * one } else { one }
}
