//! The decision plot as a PNG image: the grid texture with the points drawn on it.

use std::io::Cursor;

use egui::Color32;

use crate::app::settings::Settings;
use crate::data::Target;

use super::decision::{DecisionGrid, axis_features, target_range};
use super::{DataView, class_color, value_color};

/// Side of the exported image, pixels.
const SIZE: u32 = 768;

/// The decision plot (grid plus points, no axes) encoded as PNG: what can be drawn without the
/// window. In the window, the export is a screenshot of the plot with its axes and legend.
pub fn decision_png(
    grid: &DecisionGrid,
    view: &DataView<'_>,
    settings: &Settings,
) -> Result<Vec<u8>, String> {
    let (Some(image), Some(bounds)) = (&grid.image, grid.bounds) else {
        return Err("the decision grid is not ready yet".to_owned());
    };
    let [w, h] = image.size;
    if w == 0 || h == 0 {
        return Err("the decision grid is empty".to_owned());
    }
    let mut out = image::RgbaImage::new(SIZE, SIZE);
    // Bilinear between cell centres, as the window's texture is drawn (no jagged edges).
    let at = |c: usize, r: usize| image.pixels[r.min(h - 1) * w + c.min(w - 1)];
    for (px, py, pixel) in out.enumerate_pixels_mut() {
        let fx = ((f64::from(px) + 0.5) * w as f64 / f64::from(SIZE) - 0.5).max(0.0);
        let fy = ((f64::from(py) + 0.5) * h as f64 / f64::from(SIZE) - 0.5).max(0.0);
        let (c, r) = (fx as usize, fy as usize);
        let (tx, ty) = ((fx - c as f64) as f32, (fy - r as f64) as f32);
        let top = super::mix(at(c, r), at(c + 1, r), tx);
        let bottom = super::mix(at(c, r + 1), at(c + 1, r + 1), tx);
        let colour = super::mix(top, bottom, ty);
        *pixel = image::Rgba([colour.r(), colour.g(), colour.b(), 255]);
    }
    let data = &view.dataset;
    let d = data.n_features();
    let (xf, yf) = axis_features(settings, d);
    let to_pixel = |row: &[f64]| {
        let x = (row[xf] - bounds.x.0) / (bounds.x.1 - bounds.x.0) * f64::from(SIZE);
        let y = if d > 1 {
            (bounds.y.1 - row[yf]) / (bounds.y.1 - bounds.y.0) * f64::from(SIZE)
        } else {
            f64::from(SIZE) / 2.0
        };
        (x, y)
    };
    let (lo, hi) = target_range(view);
    let colour_of = |i: usize| match &data.target {
        Target::Classes { labels, .. } => class_color(labels[i]),
        Target::Values(v) => value_color((v[i] - lo) / (hi - lo).max(1e-12)),
    };
    let mut draw = |i: usize, filled: bool| {
        let (x, y) = to_pixel(data.features.row(i));
        let colour = colour_of(i);
        let outline = Color32::from_gray(20);
        for dy in -5_i32..=5 {
            for dx in -5_i32..=5 {
                let dist = f64::from(dx * dx + dy * dy).sqrt();
                let (px, py) = (x as i64 + i64::from(dx), y as i64 + i64::from(dy));
                if dist > 4.5 || px < 0 || py < 0 || px >= i64::from(SIZE) || py >= i64::from(SIZE)
                {
                    continue;
                }
                let c = if dist > 3.3 {
                    outline
                } else if filled || dist > 2.0 {
                    colour
                } else {
                    continue;
                };
                out.put_pixel(
                    px as u32,
                    py as u32,
                    image::Rgba([c.r(), c.g(), c.b(), 255]),
                );
            }
        }
    };
    let step = |n: usize| n.div_ceil(super::decision::MAX_DRAWN_POINTS).max(1);
    let train = &view.prepared.train_rows;
    for &i in train.iter().step_by(step(train.len())) {
        draw(i, true);
    }
    if settings.show_test {
        let test = &view.prepared.test_rows;
        for &i in test.iter().step_by(step(test.len())) {
            draw(i, false);
        }
    }
    let mut bytes = Vec::new();
    out.write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
        .map_err(|e| format!("cannot encode the PNG: {e}"))?;
    Ok(bytes)
}
