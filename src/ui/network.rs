//! The network diagram: layers as columns of nodes, weights as lines (colour = sign, width =
//! size), with its key on screen; hovering a hidden unit asks the plot to shade that unit's
//! activation.

use egui::{Color32, Pos2, Sense, Stroke, Ui, pos2, vec2};

use crate::nn::Network;

/// Most nodes drawn per column, however tall the diagram; the rest are summarised as "+N".
const MAX_NODES: usize = 32;
/// Smallest distance between node centres, points.
const MIN_NODE_SPACING: f32 = 7.0;
/// Height kept at the bottom of a column for its "+N" label, points.
const MORE_LABEL: f32 = 14.0;
/// Most lines drawn between two columns; beyond it the weakest are left out (they would be
/// lost in the crowd anyway, and each costs frame time).
const MANY_LINES: usize = 400;
/// Colour of negative weights: reddish purple, a hue the class colours of two- and three-class
/// data and the curves do not use. Positive weights are drawn in the text colour.
const NEGATIVE: Color32 = Color32::from_rgb(204, 121, 167);

/// The line colours: positive, negative.
fn sign_colours(ui: &Ui) -> (Color32, Color32) {
    (ui.visuals().strong_text_color(), NEGATIVE)
}

/// The key above the diagram.
fn key_ui(ui: &mut Ui) {
    let (positive, negative) = sign_colours(ui);
    ui.horizontal_wrapped(|ui| {
        ui.strong("Network");
        for (colour, text) in [(positive, "positive"), (negative, "negative")] {
            let (rect, _) = ui.allocate_exact_size(vec2(18.0, 10.0), Sense::hover());
            ui.painter().line_segment(
                [rect.left_center(), rect.right_center()],
                Stroke::new(2.5, colour),
            );
            ui.label(text);
        }
        ui.weak("· thicker = larger");
    });
    ui.weak(
        "Hover a hidden unit to shade its activation over the plot; a line or a unit to read \
         its weight or bias; click a line to edit its weight.",
    );
}

/// The names of the output units: the classes of a softmax, the class a sigmoid gives the
/// probability of (`P(hot dog)`), or the predicted value.
pub fn output_names(class_names: &[String], target_name: &str, outputs: usize) -> Vec<String> {
    match class_names {
        [_, positive] if outputs == 1 => vec![format!("P({positive})")],
        names if names.len() == outputs => names.to_vec(),
        _ if outputs == 1 => vec![target_name.to_owned()],
        _ => (1..=outputs).map(|k| format!("output {k}")).collect(),
    }
}

/// Distance from `p` to the segment `a`–`b`.
fn distance_to_segment(p: Pos2, a: Pos2, b: Pos2) -> f32 {
    let ab = b - a;
    let t = ((p - a).dot(ab) / ab.length_sq().max(1e-6)).clamp(0.0, 1.0);
    (a + ab * t - p).length()
}

/// The line nearest to `p` among `lines`, if one is within `reach` points.
pub fn nearest_line(p: Pos2, lines: &[(Pos2, Pos2)], reach: f32) -> Option<usize> {
    lines
        .iter()
        .map(|&(a, b)| distance_to_segment(p, a, b))
        .enumerate()
        .filter(|&(_, d)| d <= reach)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

/// Width a label takes in the diagram's font, points (about; for the margins).
fn label_width(text: &str) -> f32 {
    7.0 * text.chars().count() as f32
}

/// What the pointer did on the diagram.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct DiagramResponse {
    /// The hidden unit under the pointer as `(layer, unit)`, 0-based.
    pub hovered_unit: Option<(usize, usize)>,
    /// The weight whose line was clicked: `(layer, row, col)`, row 0 the bias.
    pub picked: Option<(usize, usize, usize)>,
}

/// A weight being edited by hand: which, and the value typed so far.
#[derive(Clone, Debug, PartialEq)]
pub struct WeightEditor {
    /// The run (0 is run 1).
    pub run: usize,
    /// Weight layer, row (0 is the bias) and column.
    pub layer: usize,
    /// Row.
    pub row: usize,
    /// Column.
    pub col: usize,
    /// The value to set.
    pub value: f64,
    /// "weight from x1 to h2 (layer 1)".
    pub name: String,
}

/// The small window that edits one weight: Set trains on from the new value.
pub fn weight_editor_ui(
    ctx: &egui::Context,
    editor: &mut WeightEditor,
    commands: &mut Vec<crate::app::commands::Command>,
) {
    use crate::app::commands::Command;
    let mut open = true;
    // Left of where the line was clicked, so that the diagram stays in view.
    // Never over the toolbar (Play stays in reach).
    let screen = ctx.content_rect();
    let at = ctx
        .input(|i| i.pointer.interact_pos())
        .unwrap_or_else(|| screen.center());
    let corner = at - vec2(300.0, 40.0);
    egui::Window::new("Edit weight")
        .default_pos(pos2(corner.x.max(8.0), corner.y.max(48.0)))
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .show(ctx, |ui| {
            ui.label(&editor.name);
            ui.horizontal(|ui| {
                let label = ui.label("value");
                ui.add(egui::DragValue::new(&mut editor.value).speed(0.01))
                    .labelled_by(label.id);
            });
            ui.horizontal(|ui| {
                if ui
                    .button("Set")
                    .on_hover_text("Training goes on from this weight; the curves mark the edit")
                    .clicked()
                {
                    commands.push(Command::SetWeight {
                        run: editor.run,
                        layer: editor.layer,
                        row: editor.row,
                        col: editor.col,
                        value: editor.value,
                    });
                }
                if ui.button("Close").clicked() {
                    commands.push(Command::CloseWeightEditor);
                }
            });
        });
    if !open {
        commands.push(Command::CloseWeightEditor);
    }
}

/// The name of weight `(layer, row, col)` for a person: "weight from x1 to h2 (layer 1)", or
/// "bias of h2 (layer 1)".
pub fn weight_name(
    network: &Network,
    (layer, row, col): (usize, usize, usize),
    input_names: &[String],
    output_names: &[String],
) -> String {
    let columns = network.weights().len() + 1;
    let to = unit_name(layer + 1, col, columns, output_names);
    if row == 0 {
        return format!("bias of {to}");
    }
    let from = if layer == 0 {
        input_names
            .get(row - 1)
            .cloned()
            .unwrap_or_else(|| format!("x{row}"))
    } else {
        unit_name(layer, row - 1, columns, output_names)
    };
    format!("weight from {from} to {to}")
}

/// Draws `network` in `height` points (key included) and returns the hidden unit under the
/// pointer as `(layer, unit)`, 0-based, and the weight whose line was clicked. Columns with more nodes than fit show the first ones
/// and a "+N" for the rest. The inputs are named on the left, the outputs on the right; the
/// pointer over a line reads its weight, over a unit its bias.
pub fn network_ui(
    ui: &mut Ui,
    network: &Network,
    input_names: &[String],
    output_names: &[String],
    maps: Option<&super::unit_maps::UnitMaps>,
    height: f32,
) -> DiagramResponse {
    let top = ui.cursor().top();
    key_ui(ui);
    let height = (height - (ui.cursor().top() - top)).max(60.0);
    let weights = network.weights();
    let architecture = network.architecture();
    let mut sizes = vec![architecture.inputs];
    sizes.extend(weights.iter().map(|w| w.cols()));
    let width = ui.available_width();
    let (response, painter) = ui.allocate_painter(vec2(width, height), Sense::click());
    let fits = (((height - 16.0) / MIN_NODE_SPACING).floor() as usize).clamp(2, MAX_NODES);
    // Names beside the first and last columns, where no line crosses them; at most a quarter
    // of the width each.
    let margin = |names: &[String], n: usize| {
        if n > fits {
            14.0
        } else {
            (names.iter().map(|t| label_width(t)).fold(0.0, f32::max) + 14.0)
                .clamp(14.0, 0.25 * width)
        }
    };
    let (left, right) = (
        margin(input_names, sizes[0]),
        margin(output_names, sizes[sizes.len() - 1]),
    );
    let rect = egui::Rect::from_min_max(
        response.rect.min + vec2(left, 8.0),
        response.rect.max - vec2(right, 8.0),
    );
    let columns = sizes.len();
    let shown = |n: usize| if n > fits { fits - 1 } else { n };
    // A truncated column keeps room at the bottom for its "+N".
    let column_height = |n: usize| {
        if n > fits {
            rect.height() - MORE_LABEL
        } else {
            rect.height()
        }
    };
    let spacing = |n: usize| column_height(n) / shown(n).max(1) as f32;
    let position = |layer: usize, unit: usize| -> Pos2 {
        let n = sizes[layer];
        let x = rect.left() + rect.width() * layer as f32 / (columns - 1).max(1) as f32;
        let y = rect.top() + spacing(n) * (unit as f32 + 0.5);
        pos2(x, y)
    };
    let radius = |layer: usize| (spacing(sizes[layer]) * 0.38).clamp(2.0, 6.0);
    let (positive, negative) = sign_colours(ui);
    // Every line drawn, for the pointer: its ends and `(layer, from, to, weight)`.
    let mut lines: Vec<(Pos2, Pos2)> = Vec::new();
    let mut line_weights: Vec<(usize, usize, usize, f64)> = Vec::new();
    // Lines first, so that nodes are drawn over them.
    for (l, w) in weights.iter().enumerate() {
        // [inputs + 1, outputs]; row 0 is the bias, not drawn as a line.
        let largest = w
            .as_slice()
            .iter()
            .skip(w.cols())
            .fold(0.0_f64, |m, v| m.max(v.abs()))
            .max(1e-12);
        let (from, to) = (shown(sizes[l]), shown(sizes[l + 1]));
        // Between wide columns only the strongest lines are drawn: the threshold is the
        // MANY_LINES-th largest weight shown.
        let threshold = if from * to > MANY_LINES {
            let mut sizes: Vec<f64> = (0..from)
                .flat_map(|i| (0..to).map(move |j| (i, j)))
                .map(|(i, j)| w.get(i + 1, j).abs())
                .collect();
            let (_, nth, _) = sizes.select_nth_unstable_by(MANY_LINES, |a, b| b.total_cmp(a));
            *nth
        } else {
            0.0
        };
        for i in 0..from {
            for j in 0..to {
                let v = w.get(i + 1, j);
                if v.abs() < threshold {
                    continue;
                }
                let strength = (v.abs() / largest) as f32;
                let colour = if v >= 0.0 { positive } else { negative };
                lines.push((position(l, i), position(l + 1, j)));
                line_weights.push((l, i, j, v));
                painter.line_segment(
                    [position(l, i), position(l + 1, j)],
                    Stroke::new(
                        0.3 + 3.0 * strength,
                        colour.gamma_multiply(0.2 + 0.8 * strength),
                    ),
                );
            }
        }
    }
    let pointer = response.hover_pos();
    let mut hovered = None;
    let mut reading = None;
    let text_colour = ui.visuals().text_color();
    let node_fill = ui.visuals().extreme_bg_color;
    for (l, &n) in sizes.iter().enumerate() {
        let is_hidden = l > 0 && l < columns - 1;
        let r = radius(l);
        let reach = (r + 2.0).max(0.5 * spacing(n));
        for u in 0..shown(n) {
            let p = position(l, u);
            let under = pointer
                .is_some_and(|q| (q.x - p.x).abs() < reach.max(9.0) && (q.y - p.y).abs() < reach);
            if under && is_hidden {
                hovered = Some((l - 1, u));
            }
            if under && l > 0 {
                let bias = weights[l - 1].get(0, u);
                reading = Some(format!(
                    "{}: bias {}",
                    unit_name(l, u, columns, output_names),
                    super::format_number(bias)
                ));
            }
            // A hidden unit with room shows its activation over the plane.
            let side = (spacing(n) * 0.85).min(30.0) + if under { 4.0 } else { 0.0 };
            let picture = maps
                .filter(|_| is_hidden && spacing(n) >= 14.0)
                .and_then(|m| m.get(l - 1, u));
            if let Some(texture) = picture {
                let square = egui::Rect::from_center_size(p, vec2(side, side));
                painter.image(
                    texture.id(),
                    square,
                    egui::Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0)),
                    Color32::WHITE,
                );
                painter.rect_stroke(
                    square,
                    2.0,
                    Stroke::new(1.0, text_colour),
                    egui::StrokeKind::Outside,
                );
            } else {
                painter.circle(
                    p,
                    if under && is_hidden { r + 2.0 } else { r },
                    node_fill,
                    Stroke::new(if r < 4.0 { 1.0 } else { 1.5 }, text_colour),
                );
            }
        }
        if n > shown(n) {
            painter.text(
                pos2(position(l, 0).x, rect.bottom() - MORE_LABEL * 0.5),
                egui::Align2::CENTER_CENTER,
                format!("+{}", n - shown(n)),
                egui::FontId::proportional(11.0),
                text_colour,
            );
        }
    }
    let font = egui::FontId::proportional(12.0);
    let named = |l: usize| sizes[l] <= fits && spacing(sizes[l]) >= 12.0;
    if named(0) {
        for (u, name) in input_names.iter().enumerate() {
            painter.text(
                position(0, u) - vec2(radius(0) + 4.0, 0.0),
                egui::Align2::RIGHT_CENTER,
                name,
                font.clone(),
                text_colour,
            );
        }
    }
    let last = columns - 1;
    if named(last) {
        for (u, name) in output_names.iter().enumerate().take(sizes[last]) {
            painter.text(
                position(last, u) + vec2(radius(last) + 4.0, 0.0),
                egui::Align2::LEFT_CENTER,
                name,
                font.clone(),
                text_colour,
            );
        }
    }
    let mut picked = None;
    if reading.is_none()
        && let Some(p) = pointer
        && let Some(k) = nearest_line(p, &lines, 4.0)
    {
        let (l, i, j, v) = line_weights[k];
        if response.clicked() {
            picked = Some((l, i + 1, j));
        }
        let from = if l == 0 {
            input_names
                .get(i)
                .cloned()
                .unwrap_or_else(|| format!("x{}", i + 1))
        } else {
            unit_name(l, i, columns, output_names)
        };
        reading = Some(format!(
            "weight from {from} to {}: {}",
            unit_name(l + 1, j, columns, output_names),
            super::format_number(v)
        ));
    }
    if let Some(text) = reading {
        response.on_hover_text_at_pointer(format!("{text}\nclick a line to edit its weight"));
    }
    DiagramResponse {
        hovered_unit: hovered,
        picked,
    }
}

/// The name of unit `u` of column `l` (0 is the inputs): `h3 (layer 1)` or an output's name.
fn unit_name(l: usize, u: usize, columns: usize, output_names: &[String]) -> String {
    if l + 1 == columns {
        output_names
            .get(u)
            .cloned()
            .unwrap_or_else(|| format!("output {}", u + 1))
    } else {
        format!("h{} (layer {l})", u + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pointer_reads_the_nearest_line_within_reach() {
        let lines = [
            (pos2(0.0, 0.0), pos2(100.0, 0.0)),
            (pos2(0.0, 10.0), pos2(100.0, 10.0)),
        ];
        assert_eq!(nearest_line(pos2(50.0, 2.0), &lines, 4.0), Some(0));
        assert_eq!(nearest_line(pos2(50.0, 7.0), &lines, 4.0), Some(1));
        assert_eq!(nearest_line(pos2(50.0, 30.0), &lines, 4.0), None);
        // Past a line's end counts from the end.
        assert_eq!(nearest_line(pos2(106.0, 0.0), &lines, 4.0), None);
    }

    #[test]
    fn outputs_are_named_by_class_or_value() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            output_names(&names(&["not hot dog", "hot dog"]), "class", 1),
            ["P(hot dog)"]
        );
        assert_eq!(
            output_names(&names(&["a", "b", "c"]), "kind", 3),
            ["a", "b", "c"]
        );
        assert_eq!(output_names(&[], "price", 1), ["price"]);
    }
}
