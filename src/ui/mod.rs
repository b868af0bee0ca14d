//! Panels and plots of the app, each a `…_ui(ui, …)` function, and the decision-grid cache.
//!
//! Widgets never change the app's state directly: they edit a copy of the settings or push a
//! [`Command`](crate::app::commands::Command), which the app applies after layout. Each panel
//! reads a narrow view of what it draws ([`DataView`], a run's [`RunView`](crate::train::worker::RunView),
//! the settings); from `app` the panels import only its leaf modules (`commands`, `settings`,
//! `presets`), which import nothing of the panels, so there is no `app` ↔ `ui` cycle.

pub mod compare;
pub mod controls;
pub mod curves;
pub mod decision;
pub mod explain;
pub mod export;
pub mod file_browser;
pub mod health;
pub mod hidden_space;
pub mod lesson;
pub mod network;
pub mod stats;
pub mod timeline;
pub mod unit_maps;

use egui::Color32;

use crate::data::{CsvSource, Dataset, Prepared};
use crate::nn::Targets;

/// The data as the panels draw it: the rows in raw units, how they were split and scaled, and
/// the plane of the plot.
#[derive(Clone, Copy, Debug)]
pub struct DataView<'a> {
    /// The data set, raw units.
    pub dataset: &'a Dataset,
    /// The CSV file it came from, if any.
    pub csv: Option<&'a CsvSource>,
    /// The split and scaled matrices the runs train on.
    pub prepared: &'a Prepared,
    /// Min and max of each feature over all rows, raw units.
    pub ranges: &'a [(f64, f64)],
    /// The value each feature is held at in the plot plane (raw units; x and y ignored).
    pub slice: &'a [f64],
    /// Changes whenever the data does (new set, added point…), for caches.
    pub version: u64,
}

impl DataView<'_> {
    /// Whether the targets are classes (else numbers).
    pub fn is_classification(&self) -> bool {
        matches!(self.prepared.train_y, Targets::Classes { .. })
    }
}

/// Class colours: [`crate::picture::CLASS_RGB`].
const CLASS_COLORS: [Color32; 8] = {
    let c = crate::picture::CLASS_RGB;
    let mut out = [Color32::BLACK; 8];
    let mut k = 0;
    while k < 8 {
        out[k] = Color32::from_rgb(c[k][0], c[k][1], c[k][2]);
        k += 1;
    }
    out
};

/// Run colours in a comparison (curves and column heads): the rest of Okabe and Ito's palette,
/// in an order where neighbours differ most.
const RUN_COLORS: [Color32; 5] = [
    Color32::from_rgb(213, 94, 0),
    Color32::from_rgb(86, 180, 233),
    Color32::from_rgb(0, 158, 115),
    Color32::from_rgb(204, 121, 167),
    Color32::from_rgb(0, 114, 178),
];

/// egui's fonts, with its monospace font (Hack) behind the proportional one (Ubuntu Light),
/// which lacks much of the mathematics the window writes: ← → ∇ ∘ ‖ ′ ∈.
pub fn install_fonts(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    if let Some(family) = fonts.families.get_mut(&egui::FontFamily::Proportional)
        && !family.iter().any(|f| f == "Hack")
    {
        family.insert(1.min(family.len()), "Hack".to_owned());
    }
    ctx.set_fonts(fonts);
}

/// The colour of run `k` in a comparison (0 is run 1).
pub fn run_color(k: usize) -> Color32 {
    RUN_COLORS[k % RUN_COLORS.len()]
}

/// The colour of class `k` (the palette repeats after eight classes).
pub fn class_color(k: usize) -> Color32 {
    CLASS_COLORS[k % CLASS_COLORS.len()]
}

/// The colour of `t` in `[0, 1]` on the value colour map (NaN is grey): see
/// [`crate::picture::value_rgb`].
pub fn value_color(t: f64) -> Color32 {
    if !t.is_finite() {
        return Color32::GRAY;
    }
    let [r, g, b] = crate::picture::value_rgb(t);
    Color32::from_rgb(r, g, b)
}

/// The least, the median and the greatest of the finite `values`, if there are any.
pub fn min_median_max(values: impl IntoIterator<Item = f64>) -> Option<[f64; 3]> {
    let mut v: Vec<f64> = values.into_iter().filter(|v| v.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let median = match n {
        0 => return None,
        _ if n % 2 == 1 => v[n / 2],
        _ => 0.5 * (v[n / 2 - 1] + v[n / 2]),
    };
    Some([v[0], median, v[n - 1]])
}

/// `a` blended towards `b` by `t` in `[0, 1]`.
pub fn mix(a: Color32, b: Color32, t: f32) -> Color32 {
    let t = t.clamp(0.0, 1.0);
    let c = |x: u8, y: u8| (f32::from(x) + (f32::from(y) - f32::from(x)) * t).round() as u8;
    Color32::from_rgb(c(a.r(), b.r()), c(a.g(), b.g()), c(a.b(), b.b()))
}

/// Numbers for people: 4 significant digits, scientific when very small or large.
pub fn format_number(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    let a = v.abs();
    if a != 0.0 && !(1e-3..1e5).contains(&a) {
        format!("{v:.3e}")
    } else {
        let digits = if a >= 1000.0 {
            1
        } else if a >= 10.0 {
            3
        } else {
            4
        };
        format!("{v:.digits$}")
    }
}

/// A share as a percentage with one decimal.
pub fn format_percent(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_owned(), |a| format!("{:.1} %", 100.0 * a))
}
