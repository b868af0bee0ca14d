//! The hidden-space window: the rows where the last hidden layer puts them, the output's
//! boundary there (a straight line: the output is a logistic regression on this space), and the
//! input plane's grid lines bent into it. It moves as the network trains.

use std::time::{Duration, Instant};

use egui::Color32;
use egui_plot::{Line, MarkerShape, Plot, PlotPoints, Points};

use crate::app::commands::Command;
use crate::data::Target;
use crate::nn::Matrix;
use crate::train::hidden_space::{AxesChoice, HiddenAxes, HiddenSpace};
use crate::train::worker::RunView;

use super::DataView;

/// The most rows drawn (evenly spaced through the data set).
const MAX_ROWS: usize = 2_000;
/// Grid lines each way, and points along each.
const GRID_LINES: usize = 11;
const GRID_STEPS: usize = 40;
/// How often the picture is computed again while the run trains.
const REFRESH: Duration = Duration::from_millis(150);

/// What the window draws, computed at most every [`REFRESH`].
#[derive(Debug, Default)]
pub struct HiddenSpaceView {
    key: Option<(u64, u64, u64, u64)>,
    at: Option<Instant>,
    /// Each drawn row's data set index and coordinates.
    points: Vec<(usize, [f64; 2])>,
    /// The input plane's grid lines, bent.
    grid: Vec<Vec<[f64; 2]>>,
    space: Option<HiddenSpace>,
    problem: Option<String>,
    /// The plane picked in the window, and the one last drawn.
    choice: AxesChoice,
    drawn: Option<AxesChoice>,
}

impl HiddenSpaceView {
    fn refresh(&mut self, run: &RunView, view: &DataView<'_>) {
        let key = (run.id, run.generation, run.iteration, view.version);
        let fresh = self.drawn == Some(self.choice)
            && (self.key == Some(key) || self.at.is_some_and(|t| t.elapsed() < REFRESH));
        if fresh {
            return;
        }
        self.drawn = Some(self.choice);
        let units = run
            .network
            .architecture()
            .hidden
            .last()
            .map_or(0, |h| h.units);
        if matches!(self.choice, AxesChoice::Units(i, j) if i.max(j) >= units) {
            // The network changed under the picked units.
            self.choice = AxesChoice::Auto;
        }
        self.key = Some(key);
        self.at = Some(Instant::now());
        self.problem = None;
        let data = &run.data;
        let network = &run.network;
        // The rows in the data set's order, training and test alike, at most MAX_ROWS.
        let mut rows: Vec<(usize, &[f64])> = data
            .train_rows
            .iter()
            .zip(data.train_x.iter_rows())
            .chain(data.test_rows.iter().zip(data.test_x.iter_rows()))
            .map(|(&r, x)| (r, x))
            .collect();
        rows.sort_by_key(|&(r, _)| r);
        let step = rows.len().div_ceil(MAX_ROWS).max(1);
        let rows: Vec<(usize, &[f64])> = rows.into_iter().step_by(step).collect();
        let mut x = Matrix::zeros(0, network.architecture().inputs);
        for (_, row) in &rows {
            if x.push_row(row).is_err() {
                return;
            }
        }
        let fitted = HiddenSpace::fit_with(network, &x, self.choice).and_then(|space| {
            let Some(space) = space else {
                return Ok(None);
            };
            let points = space.project(network, &x)?;
            Ok(Some((space, points)))
        });
        match fitted {
            Ok(Some((space, points))) => {
                self.points = rows.iter().map(|&(r, _)| r).zip(points).collect();
                self.grid = bent_grid(&space, run, view);
                self.space = Some(space);
            }
            Ok(None) => {
                self.space = None;
                self.problem = Some(
                    "This network has no hidden layer: its output is a logistic regression on \
                     the inputs themselves (the decision plot is its space)."
                        .into(),
                );
            }
            Err(e) => {
                self.space = None;
                self.problem = Some(e.to_string());
            }
        }
    }
}

/// The decision plane's grid lines (two features), through the network to the hidden space.
fn bent_grid(space: &HiddenSpace, run: &RunView, view: &DataView<'_>) -> Vec<Vec<[f64; 2]>> {
    let d = view.dataset.n_features();
    if d != 2 {
        return Vec::new();
    }
    let ((x0, x1), (y0, y1)) = (view.ranges[0], view.ranges[1]);
    let at = |t: f64, lo: f64, hi: f64| lo + t * (hi - lo);
    let mut lines = Vec::new();
    for l in 0..GRID_LINES {
        let s = l as f64 / (GRID_LINES - 1) as f64;
        for vertical in [false, true] {
            let raw: Vec<f64> = (0..=GRID_STEPS)
                .flat_map(|k| {
                    let t = k as f64 / GRID_STEPS as f64;
                    if vertical {
                        [at(s, x0, x1), at(t, y0, y1)]
                    } else {
                        [at(t, x0, x1), at(s, y0, y1)]
                    }
                })
                .collect();
            let Ok(raw) = Matrix::from_vec(GRID_STEPS + 1, 2, raw) else {
                continue;
            };
            let inputs = run.data.network_inputs(raw);
            if let Ok(points) = space.project(&run.network, &inputs) {
                lines.push(points);
            }
        }
    }
    lines
}

/// The window; closing it sends [`Command::ToggleHiddenSpace`].
pub fn hidden_space_ui(
    ctx: &egui::Context,
    state: &mut HiddenSpaceView,
    view: &DataView<'_>,
    run: &RunView,
    commands: &mut Vec<Command>,
) {
    state.refresh(run, view);
    let mut open = true;
    let screen = ctx.content_rect();
    let side = (screen.width().min(screen.height()) * 0.55).clamp(260.0, 520.0);
    // Over the controls, on the left: the numbers (and the button that closes it) and the
    // explain panel, on the right, stay in view.
    egui::Window::new("Hidden space")
        .id(egui::Id::unique("hidden space"))
        .open(&mut open)
        .default_width(side)
        .default_pos(egui::pos2(screen.left() + 8.0, screen.top() + 48.0))
        .show(ctx, |ui| contents(ui, state, view, run, side));
    if !open {
        commands.push(Command::ToggleHiddenSpace);
    }
}

/// The plane picker: principal components, or two units (for a layer of more than two).
fn axes_picker(ui: &mut egui::Ui, state: &mut HiddenSpaceView, units: usize) {
    if units <= 2 {
        return;
    }
    ui.horizontal_wrapped(|ui| {
        let mut pick_units = matches!(state.choice, AxesChoice::Units(..));
        ui.label("Axes:");
        ui.radio_value(&mut pick_units, false, "principal components")
            .on_hover_text("The plane the layer's activations vary most in");
        ui.radio_value(&mut pick_units, true, "two units")
            .on_hover_text("Two of the layer's units, the others held at their mean");
        let (mut i, mut j) = match state.choice {
            AxesChoice::Units(i, j) => (i + 1, j + 1),
            AxesChoice::Auto => (1, 2),
        };
        if pick_units {
            ui.add(
                egui::DragValue::new(&mut i)
                    .range(1..=units)
                    .prefix("x: unit "),
            )
            .on_hover_text("The unit on the horizontal axis");
            ui.add(
                egui::DragValue::new(&mut j)
                    .range(1..=units)
                    .prefix("y: unit "),
            )
            .on_hover_text("The unit on the vertical axis");
            state.choice = AxesChoice::Units(i - 1, j - 1);
        } else {
            state.choice = AxesChoice::Auto;
        }
    });
}

fn contents(
    ui: &mut egui::Ui,
    state: &mut HiddenSpaceView,
    view: &DataView<'_>,
    run: &RunView,
    side: f32,
) {
    if let Some(problem) = &state.problem {
        ui.label(problem);
        return;
    }
    let Some(units) = state
        .space
        .as_ref()
        .map(|space| run.network.weights()[space.layer].cols())
    else {
        return;
    };
    axes_picker(ui, state, units);
    let Some(space) = &state.space else {
        return;
    };
    let layer = space.layer + 1;
    let (x_name, y_name, caption) = match &space.axes {
        HiddenAxes::Units(i, j) => (
            format!("h{layer}[{}]", i + 1),
            format!("h{layer}[{}]", j + 1),
            if space.exact {
                format!("Layer {layer}'s units themselves.")
            } else {
                format!(
                    "Layer {layer}'s units {} and {} (of {units}), the others held at their mean.",
                    i + 1,
                    j + 1
                )
            },
        ),
        HiddenAxes::Pca { kept, .. } => (
            "first principal component".to_owned(),
            "second".to_owned(),
            format!(
                "Layer {layer}'s {} units, by their first two principal components ({:.0} % of \
                 the variance).",
                units,
                kept * 100.0
            ),
        ),
    };
    ui.label(caption);
    let boundary_text = match (space.boundary.is_some(), space.scores.len(), space.exact) {
        (true, _, true) => {
            "The line: where the output is 0.5. The output layer is a logistic regression on \
             this space, so its boundary is straight."
        }
        (true, _, false) => {
            "The line: where the output is 0.5, with the rest of the layer held at its mean."
        }
        (false, 2.., true) => {
            "The lines: where two classes' scores tie and lead the others. The output layer is \
             linear on this space, so the classes meet along straight pieces."
        }
        (false, 2.., false) => {
            "The lines: where two classes' scores tie and lead, with the rest of the layer held \
             at its mean."
        }
        _ => "",
    };
    if !boundary_text.is_empty() {
        ui.weak(boundary_text);
    }
    if !state.grid.is_empty() {
        ui.weak("Grey: the input plane's grid lines, bent by the hidden layer.");
    }
    let dark = ui.visuals().dark_mode;
    let grid_color = if dark {
        Color32::from_gray(90)
    } else {
        Color32::from_gray(170)
    };
    let labels = match &view.dataset.target {
        Target::Classes { labels, .. } => Some(labels),
        Target::Values(_) => None,
    };
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for (_, p) in &state.points {
        for a in 0..2 {
            lo[a] = lo[a].min(p[a]);
            hi[a] = hi[a].max(p[a]);
        }
    }
    Plot::new("hidden space plot")
        .width(side)
        .height(side)
        .data_aspect(1.0)
        .x_axis_label(x_name)
        .y_axis_label(y_name)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_zoom(false)
        .allow_boxed_zoom(false)
        .show(ui, |plot_ui| {
            for line in &state.grid {
                plot_ui.line(
                    Line::new("", PlotPoints::from(line.clone()))
                        .color(grid_color)
                        .width(1.0)
                        .allow_hover(false),
                );
            }
            let classes = view.dataset.class_names().len().max(1);
            for k in 0..classes {
                let points: Vec<[f64; 2]> = state
                    .points
                    .iter()
                    .filter(|(r, _)| labels.is_none_or(|l| l.get(*r) == Some(&k)))
                    .map(|(_, p)| *p)
                    .collect();
                let name = view
                    .dataset
                    .class_names()
                    .get(k)
                    .cloned()
                    .unwrap_or_else(|| "rows".into());
                plot_ui.points(
                    Points::new(name, points)
                        .color(super::class_color(k))
                        .radius(3.0)
                        .shape(MarkerShape::Circle),
                );
            }
            if !lo[0].is_finite() {
                return;
            }
            let pad = |a: usize| 0.1 * (hi[a] - lo[a]).max(1e-9);
            let (u0, u1) = (lo[0] - pad(0), hi[0] + pad(0));
            let (v0, v1) = (lo[1] - pad(1), hi[1] + pad(1));
            let color = if dark { Color32::WHITE } else { Color32::BLACK };
            if let Some([c0, c1, c2]) = space.boundary {
                // c0 + c1 u + c2 v = 0, drawn across the points' box.
                let line: Vec<[f64; 2]> = if c2.abs() > c1.abs() {
                    [u0, u1].map(|u| [u, -(c0 + c1 * u) / c2]).to_vec()
                } else if c1 != 0.0 {
                    [v0, v1].map(|v| [-(c0 + c2 * v) / c1, v]).to_vec()
                } else {
                    Vec::new()
                };
                plot_ui.line(
                    Line::new("ŷ = 0.5", PlotPoints::from(line))
                        .color(color)
                        .width(2.0),
                );
            }
            let names = view.dataset.class_names();
            let name = |k: usize| {
                names
                    .get(k)
                    .cloned()
                    .unwrap_or_else(|| format!("{}", k + 1))
            };
            for piece in space.class_boundaries([u0, v0], [u1, v1], 400) {
                let (a, b) = piece.classes;
                plot_ui.line(
                    Line::new(
                        format!("{} | {}", name(a), name(b)),
                        PlotPoints::from(piece.points),
                    )
                    .color(color)
                    .width(2.0),
                );
            }
        });
}
