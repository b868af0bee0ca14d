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
    ui.weak("Hover a hidden unit to shade its activation over the plot.");
}

/// Draws `network` in `height` points (key included) and returns the hidden unit under the
/// pointer as `(layer, unit)`, 0-based. Columns with more nodes than fit show the first ones
/// and a "+N" for the rest.
pub fn network_ui(
    ui: &mut Ui,
    network: &Network,
    input_names: &[String],
    height: f32,
) -> Option<(usize, usize)> {
    let top = ui.cursor().top();
    key_ui(ui);
    let height = (height - (ui.cursor().top() - top)).max(60.0);
    let weights = network.weights();
    let architecture = network.architecture();
    let mut sizes = vec![architecture.inputs];
    sizes.extend(weights.iter().map(|w| w.cols()));
    let width = ui.available_width();
    let (response, painter) = ui.allocate_painter(vec2(width, height), Sense::hover());
    let rect = response.rect.shrink2(vec2(14.0, 8.0));
    let columns = sizes.len();
    let fits = ((rect.height() / MIN_NODE_SPACING).floor() as usize).clamp(2, MAX_NODES);
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
            painter.circle(
                p,
                if under && is_hidden { r + 2.0 } else { r },
                node_fill,
                Stroke::new(if r < 4.0 { 1.0 } else { 1.5 }, text_colour),
            );
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
    if sizes[0] <= fits && spacing(sizes[0]) >= 12.0 {
        for (u, name) in input_names.iter().enumerate() {
            painter.text(
                position(0, u) + vec2(radius(0) + 3.0, -radius(0) - 1.0),
                egui::Align2::LEFT_BOTTOM,
                name,
                egui::FontId::proportional(10.0),
                text_colour,
            );
        }
    }
    hovered
}
