//! The network diagram: layers as columns of nodes, weights as lines (colour = sign, width =
//! size); hovering a hidden unit asks the plot to shade that unit's activation.

use egui::{Color32, Pos2, Sense, Stroke, pos2, vec2};

use crate::nn::Network;

/// Most nodes drawn per column; the rest are summarised as "+N".
const MAX_NODES: usize = 16;
/// Colour of positive weights.
const POSITIVE: Color32 = Color32::from_rgb(0, 114, 178);
/// Colour of negative weights.
const NEGATIVE: Color32 = Color32::from_rgb(213, 94, 0);

/// Draws `network` and returns the hidden unit under the pointer as `(layer, unit)`, 0-based.
pub fn network_ui(
    ui: &mut egui::Ui,
    network: &Network,
    input_names: &[String],
    height: f32,
) -> Option<(usize, usize)> {
    let weights = network.weights();
    let architecture = network.architecture();
    let mut sizes = vec![architecture.inputs];
    sizes.extend(weights.iter().map(|w| w.cols()));
    let width = ui.available_width();
    let (response, painter) = ui.allocate_painter(vec2(width, height), Sense::hover());
    let rect = response.rect.shrink(14.0);
    let columns = sizes.len();
    let shown = |n: usize| n.min(MAX_NODES);
    let position = |layer: usize, unit: usize| -> Pos2 {
        let n = shown(sizes[layer]);
        let x = rect.left() + rect.width() * layer as f32 / (columns - 1).max(1) as f32;
        let y = rect.top() + rect.height() * (unit as f32 + 0.5) / n.max(1) as f32;
        pos2(x, y)
    };
    // Lines first, so that nodes are drawn over them.
    for (l, w) in weights.iter().enumerate() {
        // [inputs + 1, outputs]; row 0 is the bias, not drawn as a line.
        let largest = w
            .as_slice()
            .iter()
            .skip(w.cols())
            .fold(0.0_f64, |m, v| m.max(v.abs()))
            .max(1e-12);
        for i in 0..shown(sizes[l]) {
            for j in 0..shown(sizes[l + 1]) {
                let v = w.get(i + 1, j);
                let strength = (v.abs() / largest) as f32;
                let colour = if v >= 0.0 { POSITIVE } else { NEGATIVE };
                painter.line_segment(
                    [position(l, i), position(l + 1, j)],
                    Stroke::new(
                        0.3 + 3.0 * strength,
                        colour.gamma_multiply(0.25 + 0.75 * strength),
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
        for u in 0..shown(n) {
            let p = position(l, u);
            let is_hidden = l > 0 && l < columns - 1;
            let under = pointer.is_some_and(|q| q.distance(p) < 9.0);
            if under && is_hidden {
                hovered = Some((l - 1, u));
            }
            painter.circle(
                p,
                if under { 8.0 } else { 6.0 },
                node_fill,
                Stroke::new(1.5, text_colour),
            );
        }
        if n > MAX_NODES {
            painter.text(
                pos2(position(l, 0).x, rect.bottom() + 8.0),
                egui::Align2::CENTER_CENTER,
                format!("+{}", n - MAX_NODES),
                egui::FontId::proportional(11.0),
                text_colour,
            );
        }
    }
    if sizes[0] <= MAX_NODES {
        for (u, name) in input_names.iter().take(MAX_NODES).enumerate() {
            painter.text(
                position(0, u) + vec2(9.0, -9.0),
                egui::Align2::LEFT_BOTTOM,
                name,
                egui::FontId::proportional(10.0),
                text_colour,
            );
        }
    }
    let response = response.on_hover_text(
        "Blue lines: positive weights, orange: negative; thicker is larger. \
         Hover a hidden unit to shade its activation over the plot.",
    );
    let _ = response;
    hovered
}
