//! Loss and accuracy curves against iteration, side by side, with axes readable at any
//! iteration count (`250k`, `1.5M`) and real loss values on the log axis.

use egui::{Rangef, Stroke, Ui};
use egui_plot::{GridInput, GridMark, HoverPosition, Line, LineStyle, Plot};

use crate::train::History;

/// Smallest distance between grid lines, points (egui_plot's default, set explicitly because
/// the spacers below derive the scale from it).
const GRID_MIN: f32 = 8.0;
/// Distance between labelled ticks on the iteration axis, points: wide enough for `1.25M`.
const X_LABEL_SPACING: f64 = 72.0;
/// Distance between labelled ticks on a value axis, points.
const Y_LABEL_SPACING: f64 = 28.0;

/// How the training and test curves are told apart. Both are neutral colours, so that they do
/// not read as classes (the plot) or signs (the network): the training curve solid, the test
/// curve dashed.
struct CurveStyle {
    train: Stroke,
    test: Stroke,
}

impl CurveStyle {
    fn new(ui: &Ui) -> Self {
        let visuals = ui.visuals();
        Self {
            train: Stroke::new(1.6, visuals.strong_text_color()),
            test: Stroke::new(1.4, visuals.text_color().gamma_multiply(0.8)),
        }
    }
}

/// A step of 1, 2 or 5 times a power of ten, at least `raw`.
pub fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let power = 10f64.powf(raw.log10().floor());
    let mantissa = raw / power;
    let nice = if mantissa <= 1.0 {
        1.0
    } else if mantissa <= 2.0 {
        2.0
    } else if mantissa <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * power
}

/// Plot units per screen point, from what egui_plot passes a grid spacer.
fn units_per_point(input: &GridInput) -> f64 {
    input.base_step_size / f64::from(GRID_MIN)
}

/// Grid marks on a linear axis: labelled ticks about `spacing` points apart on a 1-2-5 step,
/// and unlabelled lines between them.
fn linear_marks(input: &GridInput, spacing: f64) -> Vec<GridMark> {
    let major = nice_step(units_per_point(input) * spacing);
    marks_every(input.bounds, major, true)
}

/// Grid marks over `bounds`: labelled ticks at multiples of `major` (a 1-2-5 step), and with
/// `minor`, lines between them (egui_plot labels those too where they are far enough apart).
pub fn marks_every(bounds: (f64, f64), major: f64, minor: bool) -> Vec<GridMark> {
    let (lo, hi) = bounds;
    if !(lo.is_finite() && hi.is_finite() && hi > lo && major > 0.0) {
        return Vec::new();
    }
    let mantissa = (major / 10f64.powf(major.log10().floor())).round();
    let minor = if minor {
        major / if mantissa == 2.0 { 4.0 } else { 5.0 }
    } else {
        major
    };
    let mut marks = Vec::new();
    let mut k = (lo / minor).ceil();
    // Bounded: at most a few hundred marks across any plot.
    while k * minor <= hi && marks.len() < 1000 {
        let value = k * minor;
        let on_major = ((value / major).round() * major - value).abs() < minor * 1e-6;
        marks.push(GridMark {
            value: if on_major {
                (value / major).round() * major
            } else {
                value
            },
            step_size: if on_major { major } else { minor },
        });
        k += 1.0;
    }
    marks
}

/// Grid marks on an axis in log10 units: decades (with 2 and 5 between them when there is
/// room) over a wide range, ordinary 1-2-5 steps of the loss itself over a narrow one. Each
/// mark's `step_size` is its distance to the next mark, so that egui_plot labels it only if the
/// label fits.
fn log_marks(input: &GridInput) -> Vec<GridMark> {
    let (lo, hi) = input.bounds;
    if !(lo.is_finite() && hi.is_finite() && hi > lo) {
        return Vec::new();
    }
    let per_point = units_per_point(input);
    let mut marks = Vec::new();
    if hi - lo >= 1.0 {
        let decades = nice_step(per_point * Y_LABEL_SPACING).max(1.0).round();
        let with_2_and_5 = decades == 1.0 && 0.3 / per_point >= Y_LABEL_SPACING;
        let mut e = (lo / decades).floor() * decades;
        while e <= hi && marks.len() < 400 {
            marks.push(GridMark {
                value: e,
                step_size: decades,
            });
            if with_2_and_5 {
                for m in [2f64, 5.0] {
                    marks.push(GridMark {
                        value: e + m.log10(),
                        step_size: 0.3,
                    });
                }
            }
            e += decades;
        }
        marks.retain(|m| m.value >= lo && m.value <= hi);
        return marks;
    }
    let (lo_value, hi_value) = (10f64.powf(lo), 10f64.powf(hi));
    // Within a decade log10 squeezes values most near its top: each decade's step is spaced for
    // its top, so that 0.4 and 0.5 are labelled below 1 as 2 and 3 are above it.
    let factor = 1.0 - 10f64.powf(-Y_LABEL_SPACING * per_point);
    let mut e = lo.floor();
    while e <= hi.ceil() && marks.len() < 400 {
        let (start, top) = (10f64.powf(e), 10f64.powf(e + 1.0));
        let step = nice_step(top.min(hi_value) * factor);
        let mut v = (start.max(lo_value) / step).ceil() * step;
        while v <= top.min(hi_value) * (1.0 + 1e-12) && marks.len() < 400 {
            let value = v.log10();
            let next = if v + step > top {
                v + nice_step(top * 10.0 * factor)
            } else {
                v + step
            };
            if v > 0.0
                && marks
                    .last()
                    .is_none_or(|m: &GridMark| value - m.value > 1e-9)
            {
                marks.push(GridMark {
                    value,
                    step_size: next.log10() - value,
                });
            }
            v += step;
        }
        e += 1.0;
    }
    marks
}

/// Digits after the point that tell apart values `step` apart.
fn decimals_for(step: f64) -> usize {
    if step.is_finite() && step > 0.0 {
        (-step.log10().floor()).clamp(0.0, 12.0) as usize
    } else {
        2
    }
}

/// A tick value `step` away from its neighbours, without trailing zeros; scientific for very
/// small or large values.
pub fn format_tick(v: f64, step: f64) -> String {
    if v == 0.0 {
        return "0".to_owned();
    }
    let a = v.abs();
    if !(1e-3..1e5).contains(&a) {
        let exponent = a.log10().floor();
        let digits = (exponent - step.abs().log10().floor()).clamp(0.0, 6.0) as usize;
        return format!("{v:.digits$e}");
    }
    let text = format!("{v:.*}", decimals_for(step));
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// The label of a tick at `log10 v` on a log axis whose next tick is `step` (in log10 units)
/// away: `v` with the digits that tell it from its neighbour below (`0.01`, never `0`).
pub fn log_tick(log_v: f64, step: f64) -> String {
    let v = 10f64.powf(log_v);
    if step >= 0.999 {
        // Decades: a power of ten needs no more digits than its own.
        format_tick(v, v)
    } else {
        format_tick(v, v * (1.0 - 10f64.powf(-step.abs())))
    }
}

/// An iteration count with a k or M suffix: `0`, `500`, `250k`, `1.5M`.
pub fn format_count(v: f64, step: f64) -> String {
    let (unit, suffix) = if v.abs() >= 1e6 || step >= 1e6 {
        (1e6, "M")
    } else if v.abs() >= 1e3 || step >= 1e3 {
        (1e3, "k")
    } else {
        (1.0, "")
    };
    if v == 0.0 {
        return "0".to_owned();
    }
    format!("{}{suffix}", format_tick(v / unit, step / unit))
}

/// Hover text: the curve's name, the iteration and the value (un-logged for the loss).
fn hover_text(pos: &HoverPosition<'_>, log_y: bool) -> Option<String> {
    match pos {
        HoverPosition::NearDataPoint {
            plot_name,
            position,
            ..
        } if !plot_name.is_empty() => {
            let value = if log_y {
                super::format_number(10f64.powf(position.y))
            } else if plot_name.contains("accuracy") {
                super::format_percent(Some(position.y))
            } else {
                super::format_number(position.y)
            };
            Some(format!("{plot_name}\niteration {:.0}\n{value}", position.x))
        }
        _ => None,
    }
}

/// The curve key above the plots: a solid line for training, a dashed one for test.
fn key_ui(ui: &mut Ui, style: &CurveStyle, with_test: bool) {
    let sample = |ui: &mut Ui, stroke: Stroke, dashed: bool, text: &str| {
        let (rect, _) = ui.allocate_exact_size(egui::vec2(22.0, 10.0), egui::Sense::hover());
        let (a, b) = (rect.left_center(), rect.right_center());
        if dashed {
            ui.painter()
                .extend(egui::Shape::dashed_line(&[a, b], stroke, 5.0, 3.0));
        } else {
            ui.painter().line_segment([a, b], stroke);
        }
        ui.label(text);
    };
    sample(ui, style.train, false, "training rows");
    if with_test {
        sample(ui, style.test, true, "test rows");
    }
}

/// `[iteration, value]` pairs with finite values.
fn finite_points(points: impl Iterator<Item = [f64; 2]>) -> Vec<[f64; 2]> {
    points.filter(|p| p[1].is_finite()).collect()
}

/// One run's curves: its name (for the legend when several are drawn), its history, the rows
/// behind each summed loss figure and its colour (`None` for the neutral colours of a single
/// run).
pub struct Series<'a> {
    /// The legend name ("run 2: 30 sigmoid").
    pub name: String,
    /// The loss and accuracy history.
    pub history: &'a History,
    /// The rows behind each training and test loss figure when the loss is summed over rows (a
    /// mini-batch for training on batches); the loss is drawn per row, so that training and test
    /// can be compared and read against the numbers panel. `None` for a mean loss.
    pub rows: Option<(usize, usize)>,
    /// The run's colour in a comparison.
    pub color: Option<egui::Color32>,
    /// The iteration at which the run diverged, if it did: marked on the curves.
    pub diverged_at: Option<u64>,
}

/// One series' points, ready to draw.
#[derive(Clone)]
struct Drawn {
    name: String,
    diverged_at: Option<u64>,
    /// Iterations at which a weight was set by hand.
    edits: Vec<u64>,
    train: Stroke,
    test: Stroke,
    train_loss: Vec<[f64; 2]>,
    test_loss: Vec<[f64; 2]>,
    train_accuracy: Vec<[f64; 2]>,
    test_accuracy: Vec<[f64; 2]>,
}

impl Drawn {
    fn new(series: &Series<'_>, style: &CurveStyle, log: bool) -> Self {
        let points = series.history.points();
        let (train_rows, test_rows) = series
            .rows
            .map_or((1.0, 1.0), |(a, b)| (a.max(1) as f64, b.max(1) as f64));
        // A loss of exactly 0 has no logarithm: it is drawn at the floor.
        let y = |v: f64| if log { v.max(1e-12).log10() } else { v };
        let (train, test) = match series.color {
            Some(c) => (
                Stroke::new(1.8, c),
                Stroke::new(1.4, c.gamma_multiply(0.85)),
            ),
            None => (style.train, style.test),
        };
        Self {
            name: series.name.clone(),
            diverged_at: series.diverged_at,
            edits: series.history.edits().iter().map(|e| e.iteration).collect(),
            train,
            test,
            train_loss: finite_points(
                points
                    .iter()
                    .map(|p| [p.iteration as f64, y(p.train_loss / train_rows)]),
            ),
            test_loss: finite_points(
                points
                    .iter()
                    .filter_map(|p| p.test_loss.map(|l| [p.iteration as f64, y(l / test_rows)])),
            ),
            train_accuracy: finite_points(
                points
                    .iter()
                    .filter_map(|p| p.train_accuracy.map(|a| [p.iteration as f64, a])),
            ),
            test_accuracy: finite_points(
                points
                    .iter()
                    .filter_map(|p| p.test_accuracy.map(|a| [p.iteration as f64, a])),
            ),
        }
    }

    /// The legend name of one of its curves: "training loss", or "run 2 … training" when
    /// several runs are drawn.
    fn label(&self, several: bool, what: &str) -> String {
        if several {
            format!("{} ({what})", self.name)
        } else {
            what.to_owned()
        }
    }
}

/// The iterations the curves span: from 0 to the last one drawn, and at least 0…10 (an empty
/// or one-point history still gets an iteration axis that reads as one).
pub fn iteration_span(last: Option<f64>) -> (f64, f64) {
    (0.0, last.filter(|v| v.is_finite()).unwrap_or(0.0).max(10.0))
}

/// Draws one curve (dashed for test figures), with its points marked while there are too few
/// for a line to show (a run that diverged within its first iterations).
fn curve(
    plot_ui: &mut egui_plot::PlotUi<'_>,
    name: String,
    points: &[[f64; 2]],
    stroke: Stroke,
    dashed: bool,
) {
    if points.is_empty() {
        return;
    }
    if points.len() < 4 {
        plot_ui.points(
            egui_plot::Points::new(name.clone(), points.to_vec())
                .color(stroke.color)
                .radius(2.5),
        );
    }
    let line = Line::new(name, points.to_vec()).stroke(stroke);
    plot_ui.line(if dashed {
        line.style(LineStyle::dashed_dense())
    } else {
        line
    });
}

/// Marks each diverged run's iteration with a vertical line, and each weight set by hand with
/// a dotted one.
fn divergence_marks(plot_ui: &mut egui_plot::PlotUi<'_>, drawn: &[Drawn], colour: egui::Color32) {
    for d in drawn {
        for &at in &d.edits {
            plot_ui.vline(
                egui_plot::VLine::new(format!("{}: weight set by hand at {at}", d.name), at as f64)
                    .color(d.train.color.gamma_multiply(0.7))
                    .style(LineStyle::dotted_dense()),
            );
        }
        if let Some(at) = d.diverged_at {
            plot_ui.vline(
                egui_plot::VLine::new(format!("{}: diverged at {at}", d.name), at as f64)
                    .color(colour)
                    .style(LineStyle::dashed_loose()),
            );
        }
    }
}

/// A plot against iteration with a log value axis, ticked as the loss curves are; the values
/// drawn in it are log10 of the real ones.
pub fn log_plot(id: &str) -> Plot<'_> {
    Plot::new(id)
        .grid_spacing(Rangef::new(GRID_MIN, 300.0))
        .x_grid_spacer(|input| linear_marks(&input, X_LABEL_SPACING))
        .x_axis_formatter(|mark, _| format_count(mark.value, mark.step_size))
        .y_grid_spacer(|input| log_marks(&input))
        .y_axis_formatter(|mark, _| log_tick(mark.value, mark.step_size))
        .label_formatter(|pos| hover_text(pos, true))
}

/// The loss curves and, for classes, the accuracy curves beside them: one run's, or several
/// runs' overlaid with a colour per run (training solid, test dashed).
/// `at`, if given, is the iteration scrubbed to: marked on both plots. With `band`, the series
/// are one setup under several seeds: their median is drawn, within a band from their least to
/// their greatest value.
pub fn curves_ui(
    ui: &mut Ui,
    series: &[Series<'_>],
    log_loss: &mut bool,
    at: Option<u64>,
    band: bool,
) {
    let marker = ui.visuals().selection.stroke.color;
    let style = CurveStyle::new(ui);
    let log = *log_loss;
    let mut drawn: Vec<Drawn> = series.iter().map(|s| Drawn::new(s, &style, log)).collect();
    let spread = (band && drawn.len() > 1).then(|| Spread::of(&drawn, &style));
    let band_fill = ui.visuals().text_color().gamma_multiply(0.3);
    if let Some(spread) = &spread {
        drawn = vec![spread.median.clone()];
    }
    let several = drawn.len() > 1;
    let error = ui.visuals().error_fg_color;
    let last = drawn
        .iter()
        .flat_map(|d| d.train_loss.last().map(|p| p[0]))
        .reduce(f64::max);
    let (first, end) = iteration_span(last);
    let with_test = drawn.iter().any(|d| !d.test_loss.is_empty());
    // The key names the runs here, not in legends over the curves; it wraps on a narrow window.
    ui.horizontal_wrapped(|ui| {
        ui.strong("Curves");
        key_ui(ui, &style, with_test);
        if let Some(spread) = &spread {
            ui.weak(format!(
                "median of {} seeds; the band spans the least to the greatest",
                spread.seeds
            ));
        }
        if several {
            for d in &drawn {
                let (rect, _) =
                    ui.allocate_exact_size(egui::vec2(16.0, 10.0), egui::Sense::hover());
                ui.painter().line_segment(
                    [rect.left_center(), rect.right_center()],
                    Stroke::new(3.0, d.train.color),
                );
                ui.label(&d.name);
            }
        }
        ui.separator();
        ui.checkbox(log_loss, "log scale for the loss")
            .on_hover_text("Draw the loss on a logarithmic axis: late, small gains stay visible");
    });
    // Short enough to fit beside a short plot; the numbers panel says how it is computed.
    let loss_label = "loss per row";
    let height = ui.available_height().max(80.0);
    let loss_plot = |ui: &mut Ui| {
        let plot = Plot::new("loss-curves")
            .height(height)
            .grid_spacing(Rangef::new(GRID_MIN, 300.0))
            .x_grid_spacer(|input| linear_marks(&input, X_LABEL_SPACING))
            .x_axis_formatter(|mark, _| format_count(mark.value, mark.step_size))
            .x_axis_label("iteration")
            .include_x(first)
            .include_x(end)
            .y_axis_label(loss_label)
            .y_axis_min_width(36.0)
            .label_formatter(move |pos| hover_text(pos, log));
        let plot = if log {
            plot.y_grid_spacer(|input| log_marks(&input))
                .y_axis_formatter(|mark, _| log_tick(mark.value, mark.step_size))
        } else {
            plot.y_grid_spacer(|input| linear_marks(&input, Y_LABEL_SPACING))
                .y_axis_formatter(|mark, _| format_tick(mark.value, mark.step_size))
        };
        plot.show(ui, |plot_ui| {
            if let Some(spread) = &spread {
                spread_band(
                    plot_ui,
                    "training loss, seeds' range",
                    &spread.train_loss,
                    band_fill,
                );
            }
            for d in &drawn {
                let (name, test) = (
                    d.label(several, "training loss"),
                    d.label(several, "test loss"),
                );
                curve(plot_ui, name, &d.train_loss, d.train, false);
                curve(plot_ui, test, &d.test_loss, d.test, true);
            }
            divergence_marks(plot_ui, &drawn, error);
            if let Some(at) = at {
                plot_ui.vline(
                    egui_plot::VLine::new(format!("shown: iteration {at}"), at as f64)
                        .color(marker)
                        .width(2.0),
                );
            }
        });
    };
    if drawn.iter().all(|d| d.train_accuracy.is_empty()) {
        loss_plot(ui);
        return;
    }
    ui.columns(2, |columns| {
        loss_plot(&mut columns[0]);
        let plot = Plot::new("accuracy-curves")
            .height(height)
            .grid_spacing(Rangef::new(GRID_MIN, 300.0))
            .x_grid_spacer(|input| linear_marks(&input, X_LABEL_SPACING))
            .x_axis_formatter(|mark, _| format_count(mark.value, mark.step_size))
            .y_grid_spacer(|input| linear_marks(&input, Y_LABEL_SPACING))
            .y_axis_formatter(|mark, _| percent_tick(mark))
            .x_axis_label("iteration")
            .include_x(first)
            .include_x(end)
            .y_axis_label("accuracy")
            .y_axis_min_width(36.0)
            .include_y(0.0)
            .include_y(1.0)
            .label_formatter(|pos| hover_text(pos, false));
        plot.show(&mut columns[1], |plot_ui| {
            if let Some(spread) = &spread {
                spread_band(
                    plot_ui,
                    "training accuracy, seeds' range",
                    &spread.train_accuracy,
                    band_fill,
                );
            }
            for d in &drawn {
                let name = d.label(several, "training accuracy");
                curve(plot_ui, name, &d.train_accuracy, d.train, false);
                let name = d.label(several, "test accuracy");
                curve(plot_ui, name, &d.test_accuracy, d.test, true);
            }
            divergence_marks(plot_ui, &drawn, error);
            if let Some(at) = at {
                plot_ui.vline(
                    egui_plot::VLine::new(format!("shown: iteration {at}"), at as f64)
                        .color(marker)
                        .width(2.0),
                );
            }
        });
    });
}

/// Several seeds' curves: the median of each, and the least and greatest training values at
/// every iteration they all recorded.
struct Spread {
    seeds: usize,
    median: Drawn,
    /// `(iteration, least, greatest)`.
    train_loss: Vec<[f64; 3]>,
    train_accuracy: Vec<[f64; 3]>,
}

impl Spread {
    fn of(drawn: &[Drawn], style: &CurveStyle) -> Self {
        /// Per iteration all series have: least, median and greatest.
        fn stats(curves: &[&Vec<[f64; 2]>]) -> Vec<[f64; 4]> {
            let mut at: std::collections::BTreeMap<u64, Vec<f64>> = Default::default();
            for c in curves {
                for p in c.iter() {
                    at.entry(p[0] as u64).or_default().push(p[1]);
                }
            }
            at.into_iter()
                .filter(|(_, v)| v.len() == curves.len())
                .filter_map(|(i, v)| {
                    let [lo, median, hi] = super::min_median_max(v)?;
                    Some([i as f64, lo, median, hi])
                })
                .collect()
        }
        let pick = |f: fn(&Drawn) -> &Vec<[f64; 2]>| -> Vec<[f64; 4]> {
            stats(&drawn.iter().map(f).collect::<Vec<_>>())
        };
        let train_loss = pick(|d| &d.train_loss);
        let train_accuracy = pick(|d| &d.train_accuracy);
        let median = |s: &[[f64; 4]]| s.iter().map(|p| [p[0], p[2]]).collect::<Vec<_>>();
        let range = |s: &[[f64; 4]]| s.iter().map(|p| [p[0], p[1], p[3]]).collect::<Vec<_>>();
        Self {
            seeds: drawn.len(),
            median: Drawn {
                name: format!("median of {} seeds", drawn.len()),
                diverged_at: None,
                edits: Vec::new(),
                train: style.train,
                test: style.test,
                train_loss: median(&train_loss),
                test_loss: median(&pick(|d| &d.test_loss)),
                train_accuracy: median(&train_accuracy),
                test_accuracy: median(&pick(|d| &d.test_accuracy)),
            },
            train_loss: range(&train_loss),
            train_accuracy: range(&train_accuracy),
        }
    }
}

/// The band between the least and the greatest of `range` (`[iteration, least, greatest]`).
fn spread_band(
    plot_ui: &mut egui_plot::PlotUi<'_>,
    name: &str,
    range: &[[f64; 3]],
    fill: egui::Color32,
) {
    if range.len() < 2 {
        return;
    }
    let lower: Vec<[f64; 2]> = range.iter().map(|p| [p[0], p[1]]).collect();
    let upper: Vec<[f64; 2]> = range.iter().rev().map(|p| [p[0], p[2]]).collect();
    plot_ui.polygon(
        egui_plot::Polygon::new(name, lower.into_iter().chain(upper).collect::<Vec<_>>())
            .fill_color(fill)
            .stroke(Stroke::NONE)
            .allow_hover(false),
    );
}

/// An accuracy tick as a percentage (`50 %`), blank outside 0…100 %.
fn percent_tick(mark: GridMark) -> String {
    if !(-1e-9..=1.0 + 1e-9).contains(&mark.value) {
        return String::new();
    }
    format!(
        "{} %",
        format_tick(100.0 * mark.value, 100.0 * mark.step_size)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_ticks_keep_their_digits() {
        for (log_v, step, text) in [
            (-2.0, 2.0, "0.01"),
            (-2.0, 1.0, "0.01"),
            (0.0, 2.0, "1"),
            (-4.0, 2.0, "1e-4"),
            (0.5f64.log10(), 0.6f64.log10() - 0.5f64.log10(), "0.5"),
            (0.02f64.log10(), 0.3, "0.02"),
            (2.0, 1.0, "100"),
        ] {
            assert_eq!(log_tick(log_v, step), text, "10^{log_v}, step {step}");
        }
    }

    #[test]
    fn an_empty_or_short_history_still_spans_iterations_from_zero() {
        assert_eq!(iteration_span(None), (0.0, 10.0));
        assert_eq!(iteration_span(Some(3.0)), (0.0, 10.0));
        assert_eq!(iteration_span(Some(f64::NAN)), (0.0, 10.0));
        assert_eq!(iteration_span(Some(2500.0)), (0.0, 2500.0));
    }

    #[test]
    fn steps_are_one_two_or_five_times_a_power_of_ten() {
        assert_eq!(nice_step(0.7), 1.0);
        assert_eq!(nice_step(1.3), 2.0);
        assert_eq!(nice_step(3000.0), 5000.0);
        assert_eq!(nice_step(7e5), 1e6);
        assert_eq!(nice_step(0.0), 1.0);
    }

    #[test]
    fn iteration_ticks_are_short() {
        assert_eq!(format_count(0.0, 50_000.0), "0");
        assert_eq!(format_count(200_000.0, 50_000.0), "200k");
        assert_eq!(format_count(250_000.0, 50_000.0), "250k");
        assert_eq!(format_count(1_500_000.0, 500_000.0), "1.5M");
        assert_eq!(format_count(710_000.0, 100_000.0), "710k");
        assert_eq!(format_count(40.0, 10.0), "40");
        assert_eq!(format_count(2_500.0, 500.0), "2.5k");
    }

    #[test]
    fn value_ticks_have_the_digits_their_step_needs() {
        assert_eq!(format_tick(0.5, 0.1), "0.5");
        assert_eq!(format_tick(0.62, 0.02), "0.62");
        assert_eq!(format_tick(3.0, 1.0), "3");
        assert_eq!(format_tick(2e-5, 1e-5), "2e-5");
        assert_eq!(format_tick(0.0, 0.1), "0");
    }

    fn input(bounds: (f64, f64), points: f64) -> GridInput {
        GridInput {
            bounds,
            base_step_size: (bounds.1 - bounds.0) / points * f64::from(GRID_MIN),
        }
    }

    fn labelled(marks: &[GridMark], points: f64, range: f64, spacing: f64) -> Vec<f64> {
        marks
            .iter()
            .filter(|m| m.step_size * points / range > spacing)
            .map(|m| m.value)
            .collect()
    }

    #[test]
    fn a_long_run_gets_several_iteration_labels() {
        for end in [51_800.0, 200_000.0, 710_800.0, 12_345_678.0] {
            let marks = linear_marks(&input((0.0, end), 280.0), X_LABEL_SPACING);
            let shown = labelled(&marks, 280.0, end, 60.0);
            assert!(shown.len() >= 3, "{end}: {shown:?}");
        }
    }

    #[test]
    fn a_narrow_log_range_gets_labels_in_loss_units() {
        // Loss per row between 0.5 and 0.7, 150 points tall.
        let (lo, hi) = (0.5f64.log10(), 0.7f64.log10());
        let marks = log_marks(&input((lo, hi), 150.0));
        let shown = labelled(&marks, 150.0, hi - lo, 20.0);
        assert!(shown.len() >= 2, "{shown:?}");
        let values: Vec<String> = shown
            .iter()
            .map(|v| {
                let m = marks.iter().find(|m| m.value == *v).unwrap();
                let x = 10f64.powf(m.value);
                format_tick(x, x * (10f64.powf(m.step_size) - 1.0))
            })
            .collect();
        assert!(values.iter().all(|v| v.starts_with("0.")), "{values:?}");
    }

    #[test]
    fn a_log_range_across_a_decade_gets_labels_on_both_sides_of_it() {
        // Loss per row from 0.35 to 3.5 (a comparison's runs), 150 points tall.
        let (lo, hi) = (0.35f64.log10(), 3.5f64.log10());
        let marks = log_marks(&input((lo, hi), 150.0));
        let shown = labelled(&marks, 150.0, hi - lo, 20.0);
        let values: Vec<f64> = shown.iter().map(|v| 10f64.powf(*v)).collect();
        assert!(values.iter().any(|&v| v < 0.99), "{values:?}");
        assert!(values.iter().any(|&v| v > 1.01), "{values:?}");
    }

    #[test]
    fn a_wide_log_range_gets_decades() {
        let marks = log_marks(&input((-4.2, 0.3), 150.0));
        let shown = labelled(&marks, 150.0, 4.5, 20.0);
        assert!(shown.len() >= 3, "{shown:?}");
        assert!(shown.iter().all(|v| (v - v.round()).abs() < 1e-9));
    }
}
