//! Pictures drawn without a window: the decision regions with the data over them, as the app's
//! plot draws them (the same colours and shading), for `nnviz animate` and the app's
//! Export ▸ Animation. No egui here.

use image::{Rgb, RgbImage};

use crate::data::{Dataset, Prepared, Target};
use crate::nn::{Matrix, Network, NnError};

/// Class colours (Okabe and Ito's palette, safe for colour-blind readers), in label order. Sky
/// blue, the one too near blue, comes only for a seventh class: the six arms of the spirals
/// stay apart in both themes.
pub const CLASS_RGB: [[u8; 3]; 8] = [
    [230, 159, 0],
    [0, 114, 178],
    [0, 158, 115],
    [204, 121, 167],
    [213, 94, 0],
    [240, 228, 66],
    [86, 180, 233],
    [150, 150, 150],
];

/// Stops of the value colour map (viridis, sampled), low to high.
pub const VALUE_STOPS: [[f32; 3]; 5] = [
    [68.0, 1.0, 84.0],
    [59.0, 82.0, 139.0],
    [33.0, 145.0, 140.0],
    [94.0, 201.0, 98.0],
    [253.0, 231.0, 37.0],
];

/// The colour of class `k` (the palette repeats after eight classes).
pub fn class_rgb(k: usize) -> [u8; 3] {
    CLASS_RGB[k % CLASS_RGB.len()]
}

/// The colour of `t` in `[0, 1]` on the value colour map (NaN is grey).
pub fn value_rgb(t: f64) -> [u8; 3] {
    if !t.is_finite() {
        return [160, 160, 160];
    }
    let t = t.clamp(0.0, 1.0) as f32 * (VALUE_STOPS.len() - 1) as f32;
    let i = (t.floor() as usize).min(VALUE_STOPS.len() - 2);
    let f = t - i as f32;
    let (a, b) = (VALUE_STOPS[i], VALUE_STOPS[i + 1]);
    let c = |j: usize| (a[j] + (b[j] - a[j]) * f).round() as u8;
    [c(0), c(1), c(2)]
}

/// `a` blended towards `b` by `t` in `[0, 1]`.
pub fn mix_rgb(a: [u8; 3], b: [u8; 3], t: f32) -> [u8; 3] {
    let t = t.clamp(0.0, 1.0);
    let c = |x: u8, y: u8| (f32::from(x) + (f32::from(y) - f32::from(x)) * t).round() as u8;
    [c(a[0], b[0]), c(a[1], b[1]), c(a[2], b[2])]
}

/// Steps of certainty a picture's shading shows: flat bands, which a GIF packs far better
/// than the window's smooth shading (and which change between frames only where the
/// network's certainty crosses a step).
pub const SHADE_LEVELS: f64 = 8.0;

/// The shade of one point of the plane from the network's output `row` there: the predicted
/// class, stronger where the network is surer (as the app's plot, in [`SHADE_LEVELS`] steps).
pub fn class_shade(background: [u8; 3], row: &[f64]) -> [u8; 3] {
    let k = row.len().max(2);
    let floor = 1.0 / k as f64;
    let (best, pmax) = match row {
        [p] => (usize::from(*p > 0.5), p.max(1.0 - p)),
        _ => row
            .iter()
            .copied()
            .enumerate()
            .fold(
                (0, f64::NEG_INFINITY),
                |b, (j, v)| if v > b.1 { (j, v) } else { b },
            ),
    };
    let strength = ((pmax - floor) / (1.0 - floor)).clamp(0.0, 1.0);
    let strength = (strength * SHADE_LEVELS).round() / SHADE_LEVELS;
    mix_rgb(background, class_rgb(best), 0.08 + 0.42 * strength as f32)
}

/// The plane a picture shows: two features (the others held at `slice`) over their ranges.
#[derive(Clone, Debug, PartialEq)]
pub struct Plane {
    /// The features on the x and y axes.
    pub axes: (usize, usize),
    /// The x axis's range.
    pub x: (f64, f64),
    /// The y axis's range.
    pub y: (f64, f64),
    /// Every feature's value in the plane (raw units; the axes' entries are ignored).
    pub slice: Vec<f64>,
}

impl Plane {
    /// The app's plane for `dataset` on features `axes`: each axis 1.2 times the data's range,
    /// the other features at their typical value.
    pub fn for_data(dataset: &Dataset, axes: (usize, usize)) -> Self {
        let x = &dataset.features;
        let range = |j: usize| {
            let (lo, hi) = (0..x.rows())
                .map(|i| x.get(i, j))
                .filter(|v| v.is_finite())
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                    (lo.min(v), hi.max(v))
                });
            let (lo, hi) = if lo <= hi { (lo, hi) } else { (0.0, 1.0) };
            let span = if hi > lo { hi - lo } else { 2.0 };
            let mid = 0.5 * (lo + hi);
            (mid - 0.6 * span, mid + 0.6 * span)
        };
        let d = x.cols();
        let axes = (
            axes.0.min(d.saturating_sub(1)),
            axes.1.min(d.saturating_sub(1)),
        );
        Self {
            axes,
            x: range(axes.0),
            y: if d > 1 { range(axes.1) } else { (-1.0, 1.0) },
            slice: dataset.typical_row(),
        }
    }

    /// The pixel of `(u, v)` in a square picture `size` wide.
    fn pixel(&self, u: f64, v: f64, size: u32) -> (f64, f64) {
        let s = f64::from(size);
        (
            (u - self.x.0) / (self.x.1 - self.x.0) * s,
            (1.0 - (v - self.y.0) / (self.y.1 - self.y.0)) * s,
        )
    }
}

const BACKGROUND: [u8; 3] = [248, 248, 248];
const OUTLINE: [u8; 3] = [40, 40, 40];

/// The decision regions of `network` over `plane`, `size` pixels square, with the rows of
/// `dataset` over them (training rows filled, test rows hollow, as `prepared` splits them) and
/// `label` written at the top left.
pub fn decision_picture(
    network: &Network,
    prepared: &Prepared,
    dataset: &Dataset,
    plane: &Plane,
    size: u32,
    label: &str,
) -> Result<RgbImage, NnError> {
    let size = size.max(16);
    let mut image = RgbImage::new(size, size);
    let n = size as usize;
    let d = dataset.n_features().max(1);
    let (ax, ay) = plane.axes;
    for row in 0..n {
        let v = plane.y.1 - (row as f64 + 0.5) / n as f64 * (plane.y.1 - plane.y.0);
        let mut x = Matrix::zeros(n, d);
        for col in 0..n {
            let u = plane.x.0 + (col as f64 + 0.5) / n as f64 * (plane.x.1 - plane.x.0);
            for j in 0..d {
                let value = if j == ax {
                    u
                } else if j == ay && d > 1 {
                    v
                } else {
                    plane.slice.get(j).copied().unwrap_or(0.0)
                };
                x.set(col, j, value);
            }
        }
        let out = network.forward(&prepared.network_inputs(x))?;
        for col in 0..n {
            let shade = match &dataset.target {
                Target::Classes { .. } => class_shade(BACKGROUND, out.row(col)),
                Target::Values(values) => {
                    let (lo, hi) = finite_range(values);
                    let t = (out.get(col, 0) - lo) / (hi - lo).max(1e-12);
                    let t = (t * 2.0 * SHADE_LEVELS).floor() / (2.0 * SHADE_LEVELS);
                    mix_rgb(BACKGROUND, value_rgb(t), 0.55)
                }
            };
            image.put_pixel(col as u32, row as u32, Rgb(shade));
        }
    }
    let radius = (f64::from(size) / 160.0).clamp(2.0, 6.0);
    let values_range = match &dataset.target {
        Target::Values(values) => Some(finite_range(values)),
        Target::Classes { .. } => None,
    };
    for (rows, filled) in [(&prepared.test_rows, false), (&prepared.train_rows, true)] {
        for &i in rows.iter() {
            if i >= dataset.features.rows() {
                continue;
            }
            let u = dataset.features.get(i, ax);
            let v = if d > 1 {
                dataset.features.get(i, ay)
            } else {
                0.0
            };
            let color = match (&dataset.target, values_range) {
                (Target::Classes { labels, .. }, _) => class_rgb(labels[i]),
                (Target::Values(values), Some((lo, hi))) => {
                    value_rgb((values[i] - lo) / (hi - lo).max(1e-12))
                }
                _ => OUTLINE,
            };
            let (px, py) = plane.pixel(u, v, size);
            disc(&mut image, (px, py), radius + 1.0, OUTLINE, true);
            disc(&mut image, (px, py), radius, color, filled);
        }
    }
    text(&mut image, label, (6, 6), 2);
    Ok(image)
}

/// Min and max of the finite values (`(0, 1)` if there are none; widened if equal).
pub fn finite_range(values: &[f64]) -> (f64, f64) {
    let (lo, hi) = values
        .iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() {
        (0.0, 1.0)
    } else if hi - lo < 1e-12 {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo, hi)
    }
}

/// A disc (or, unfilled, a ring one pixel and a half wide) at `centre`.
fn disc(image: &mut RgbImage, centre: (f64, f64), radius: f64, color: [u8; 3], filled: bool) {
    let (w, h) = image.dimensions();
    let r = radius.ceil() as i64 + 1;
    let (cx, cy) = (centre.0.floor() as i64, centre.1.floor() as i64);
    for y in cy - r..=cy + r {
        for x in cx - r..=cx + r {
            if x < 0 || y < 0 || x >= i64::from(w) || y >= i64::from(h) {
                continue;
            }
            let dist =
                ((x as f64 + 0.5 - centre.0).powi(2) + (y as f64 + 0.5 - centre.1).powi(2)).sqrt();
            if dist <= radius && (filled || dist >= radius - 1.5) {
                image.put_pixel(x as u32, y as u32, Rgb(color));
            }
        }
    }
}

/// Writes `line` (8 × 8 glyphs, up to `scale` times bigger: smaller where it would not fit) at
/// `at` on a light box.
pub fn text(image: &mut RgbImage, line: &str, at: (u32, u32), scale: u32) {
    use font8x8::UnicodeFonts as _;
    if line.is_empty() {
        return;
    }
    let (w, h) = image.dimensions();
    let fits = |s: u32| (line.chars().count() as u32 * 8 + 2) * s + at.0 <= w;
    let scale = (1..=scale.max(1)).rev().find(|&s| fits(s)).unwrap_or(1);
    let glyph = 8 * scale;
    let chars: Vec<char> = line.chars().collect();
    let width = (chars.len() as u32 * glyph + 2 * scale).min(w.saturating_sub(at.0));
    let height = (glyph + 2 * scale).min(h.saturating_sub(at.1));
    for y in at.1..at.1 + height {
        for x in at.0..at.0 + width {
            let p = image.get_pixel_mut(x, y);
            p.0 = mix_rgb(p.0, [255, 255, 255], 0.8);
        }
    }
    for (k, c) in chars.iter().enumerate() {
        let Some(rows) = font8x8::BASIC_FONTS.get(*c) else {
            continue;
        };
        for (gy, bits) in rows.iter().enumerate() {
            for gx in 0..8 {
                if bits & (1 << gx) == 0 {
                    continue;
                }
                for sy in 0..scale {
                    for sx in 0..scale {
                        let x = at.0 + scale + k as u32 * glyph + gx * scale + sx;
                        let y = at.1 + scale + gy as u32 * scale + sy;
                        if x < w && y < h {
                            image.put_pixel(x, y, Rgb([20, 20, 20]));
                        }
                    }
                }
            }
        }
    }
}

/// The iterations of `frames` frames over `iterations`: 0, then log-spaced up to the last
/// (fewer where they would repeat).
pub fn frame_iterations(frames: usize, iterations: u64) -> Vec<u64> {
    let frames = frames.max(2);
    let end = (iterations as f64 + 1.0).ln();
    let mut out: Vec<u64> = (0..frames)
        .map(|j| ((end * j as f64 / (frames - 1) as f64).exp() - 1.0).round() as u64)
        .map(|i| i.min(iterations))
        .collect();
    out.dedup();
    if out.last() != Some(&iterations) {
        out.push(iterations);
    }
    out
}

/// A GIF written frame by frame: each frame gets its own palette, and only the box of pixels
/// that changed since the frame before is encoded (drawn over it; unchanged pixels inside it are
/// transparent, long runs that LZW packs well).
pub struct GifWriter<W: std::io::Write> {
    encoder: gif::Encoder<W>,
    previous: Option<RgbImage>,
}

impl<W: std::io::Write> GifWriter<W> {
    /// A looping GIF of `width` × `height` pixels written to `w`.
    pub fn new(w: W, width: u32, height: u32) -> Result<Self, String> {
        let (w16, h16) = (
            u16::try_from(width).map_err(|_| format!("{width} pixels is too wide"))?,
            u16::try_from(height).map_err(|_| format!("{height} pixels is too tall"))?,
        );
        let mut encoder = gif::Encoder::new(w, w16, h16, &[]).map_err(|e| e.to_string())?;
        encoder
            .set_repeat(gif::Repeat::Infinite)
            .map_err(|e| e.to_string())?;
        Ok(Self {
            encoder,
            previous: None,
        })
    }

    /// Adds `image` (the GIF's size), shown for `delay` hundredths of a second.
    pub fn frame(&mut self, image: &RgbImage, delay: u16) -> Result<(), String> {
        let (w, h) = image.dimensions();
        let (x0, y0, x1, y1) = match &self.previous {
            None => (0, 0, w, h),
            Some(prev) => changed_box(prev, image).unwrap_or((0, 0, 1, 1)),
        };
        let mut rgba = Vec::with_capacity(((x1 - x0) * (y1 - y0) * 4) as usize);
        for y in y0..y1 {
            for x in x0..x1 {
                let p = image.get_pixel(x, y).0;
                let same = self
                    .previous
                    .as_ref()
                    .is_some_and(|prev| prev.get_pixel(x, y).0 == p);
                rgba.extend_from_slice(&[p[0], p[1], p[2], if same { 0 } else { 255 }]);
            }
        }
        let mut frame =
            gif::Frame::from_rgba_speed((x1 - x0) as u16, (y1 - y0) as u16, &mut rgba, 10);
        frame.left = x0 as u16;
        frame.top = y0 as u16;
        frame.delay = delay;
        frame.dispose = gif::DisposalMethod::Keep;
        self.encoder
            .write_frame(&frame)
            .map_err(|e| e.to_string())?;
        self.previous = Some(image.clone());
        Ok(())
    }

    /// Ends the file and gives the writer back.
    pub fn finish(self) -> Result<W, String> {
        self.encoder.into_inner().map_err(|e| e.to_string())
    }
}

/// The smallest box `(x0, y0, x1, y1)` holding every pixel that differs, if any does.
fn changed_box(a: &RgbImage, b: &RgbImage) -> Option<(u32, u32, u32, u32)> {
    let (w, h) = b.dimensions();
    let (mut x0, mut y0, mut x1, mut y1) = (w, h, 0, 0);
    for (x, y, p) in b.enumerate_pixels() {
        if a.get_pixel(x, y) != p {
            x0 = x0.min(x);
            y0 = y0.min(y);
            x1 = x1.max(x + 1);
            y1 = y1.max(y + 1);
        }
    }
    (x1 > x0).then_some((x0, y0, x1, y1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Builtin;
    use crate::nn::{Architecture, Init, OutputHead};
    use crate::train::Preparation;
    use rand::SeedableRng as _;

    #[test]
    fn each_pixel_is_the_networks_class_there_and_the_points_are_drawn() {
        let data = Builtin::HotDogs.generate(&Builtin::HotDogs.default_options());
        let prepared = Preparation::default().prepare(&data).unwrap();
        let net = Architecture {
            inputs: 2,
            hidden: vec![],
            outputs: 1,
            head: OutputHead::Sigmoid,
        }
        .init(Init::Normal, &mut rand::rngs::StdRng::seed_from_u64(2))
        .unwrap();
        let plane = Plane::for_data(&data, (0, 1));
        let image = decision_picture(&net, &prepared, &data, &plane, 64, "").unwrap();
        // A pixel far from every point is its cell centre's shade.
        let (col, row) = (63u32, 63u32);
        let u = plane.x.0 + (f64::from(col) + 0.5) / 64.0 * (plane.x.1 - plane.x.0);
        let v = plane.y.1 - (f64::from(row) + 0.5) / 64.0 * (plane.y.1 - plane.y.0);
        let x = prepared.network_inputs(Matrix::from_vec(1, 2, vec![u, v]).unwrap());
        let p = net.forward(&x).unwrap();
        assert_eq!(
            image.get_pixel(col, row).0,
            class_shade(BACKGROUND, p.row(0))
        );
        // The first training row is drawn in its class's colour.
        let i = prepared.train_rows[0];
        let (px, py) = plane.pixel(data.features.get(i, 0), data.features.get(i, 1), 64);
        let Target::Classes { labels, .. } = &data.target else {
            panic!()
        };
        let drawn = image.get_pixel(px as u32, py as u32).0;
        assert!(
            drawn == class_rgb(labels[i]) || drawn == OUTLINE,
            "{drawn:?}"
        );
    }
}
