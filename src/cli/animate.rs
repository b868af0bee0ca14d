//! `nnviz animate`: the decision regions over training as an animated GIF, one frame per
//! log-spaced iteration, each labelled with its iteration and accuracy; several runs side by
//! side.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use clap::Args;
use image::RgbImage;

use crate::data::{Builtin, Dataset, Prepared};
use crate::picture::{Plane, decision_picture};
use crate::train::{Run, RunSpec, evaluate};

use super::train::{TrainArgs, build_run};
use super::{CliError, Output, outln};

/// Options of `nnviz animate`.
#[derive(Debug, Args)]
pub struct AnimateArgs {
    /// The GIF file to write.
    #[arg(long, value_name = "FILE.gif")]
    pub out: PathBuf,
    /// Frames: log-spaced iterations from 0 (the initial weights) to the last.
    #[arg(long, default_value_t = 60)]
    pub frames: usize,
    /// The side of each run's square picture, in pixels (16 to 2048).
    #[arg(long, default_value_t = 480)]
    pub size: u32,
    /// Start from an article preset instead of the data and network options: logistic,
    /// hidden-1, hidden-5, hidden-30 or iris (its own iterations unless --iterations is given).
    #[arg(long)]
    pub preset: Option<String>,
    /// Runs side by side: presets separated by commas (hidden-1,hidden-5,hidden-30) or a
    /// comparison (hidden-sizes, logistic-vs-hidden-5, activations, optimizers).
    #[arg(long)]
    pub compare: Option<String>,
    /// The data, the network and its training, as for `nnviz train`.
    #[command(flatten)]
    pub train: TrainArgs,
}

/// What to animate: runs on one data set, drawn on one plane.
#[derive(Debug)]
pub struct Animation {
    /// The data set, raw units.
    pub dataset: Dataset,
    /// Its prepared rows, shared by the runs.
    pub prepared: Arc<Prepared>,
    /// Each run's name (its label in the frame) and spec.
    pub runs: Vec<(String, RunSpec)>,
    /// The features on the x and y axes.
    pub axes: (usize, usize),
    /// The last frame's iteration.
    pub iterations: u64,
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

/// The animation the training options describe (one run).
pub fn from_train_args(args: &TrainArgs) -> Result<Animation, CliError> {
    let (spec, dataset, run) = build_run(args)?;
    let axes = default_axes(&dataset);
    Ok(Animation {
        prepared: Arc::clone(run.data()),
        runs: vec![(String::new(), spec.run)],
        axes,
        dataset,
        iterations: args.iterations(),
    })
}

/// Iris's petals, else the first two features.
fn default_axes(dataset: &Dataset) -> (usize, usize) {
    if dataset.name.eq_ignore_ascii_case("iris") {
        Builtin::Iris.default_axes()
    } else {
        (0, 1)
    }
}

/// Checks the options, builds the animation with `build` and renders it into `--out`:
/// `--frames` frames of the runs `--size` pixels square, side by side.
pub fn run(
    args: &AnimateArgs,
    build: impl FnOnce() -> Result<Animation, CliError>,
) -> Result<(), CliError> {
    if !(16..=2048).contains(&args.size) {
        return Err(CliError(format!(
            "--size {}: a picture is 16 to 2048 pixels wide",
            args.size
        )));
    }
    if !(2..=1000).contains(&args.frames) {
        return Err(CliError(format!(
            "--frames {}: an animation has 2 to 1000 frames",
            args.frames
        )));
    }
    let animation = &build()?;
    if animation.dataset.n_features() == 0 {
        return Err(CliError("the data set has no features to draw".into()));
    }
    let start = Instant::now();
    let plane = Plane::for_data(&animation.dataset, animation.axes);
    let mut runs = animation
        .runs
        .iter()
        .map(|(name, spec)| {
            let mut run = Run::new(spec.clone(), Arc::clone(&animation.prepared))?;
            run.set_timeline_budget(0);
            Ok((name.clone(), run))
        })
        .collect::<Result<Vec<_>, crate::nn::NnError>>()?;
    let iterations = frame_iterations(args.frames, animation.iterations);
    let mut writer = GifWriter::create(&args.out, args.size * runs.len() as u32, args.size)?;
    let never = AtomicBool::new(false);
    let mut stopped = Vec::new();
    for (f, &at) in iterations.iter().enumerate() {
        let mut frame = RgbImage::new(args.size * runs.len() as u32, args.size);
        for (k, (name, run)) in runs.iter_mut().enumerate() {
            let todo = at.saturating_sub(run.iteration());
            if todo > 0 && run.stopped().is_none() {
                let report = run.train(todo, &never, |_| false, |_| {})?;
                if let Some(stop) = report.stop {
                    stopped.push(format!("{}{stop}", label_prefix(name)));
                }
            }
            let label = frame_label(name, run);
            let picture = decision_picture(
                run.network(),
                &animation.prepared,
                &animation.dataset,
                &plane,
                args.size,
                &label,
            )?;
            image::imageops::replace(&mut frame, &picture, i64::from(args.size) * k as i64, 0);
        }
        let last = f + 1 == iterations.len();
        writer.frame(&frame, if last { 250 } else { 8 })?;
    }
    let bytes = writer.finish()?;
    let mut out = Output::new();
    outln!(
        out,
        "wrote {}: {} frames (iterations {} to {}), {} × {} pixels, {} KB, in {:.1} s",
        args.out.display(),
        iterations.len(),
        iterations[0],
        iterations[iterations.len() - 1],
        args.size * runs.len() as u32,
        args.size,
        bytes.div_ceil(1024),
        start.elapsed().as_secs_f64()
    );
    for s in stopped {
        outln!(out, "note: {s}");
    }
    out.finish()
}

fn label_prefix(name: &str) -> String {
    if name.is_empty() {
        String::new()
    } else {
        format!("{name}: ")
    }
}

/// `run 2: iteration 1000  76.0% right` (the training accuracy, or the loss for regression).
fn frame_label(name: &str, run: &Run) -> String {
    let c = run.config();
    let d = run.data();
    let figure = evaluate(
        run.network(),
        &d.train_x,
        &d.train_y,
        c.loss,
        c.reduction,
        c.l1,
        c.l2,
    )
    .map_or_else(
        |_| String::new(),
        |m| match m.accuracy {
            Some(a) => format!("  {:.1}% right", a * 100.0),
            None => format!("  loss {}", crate::text::significant(m.loss, 3)),
        },
    );
    format!(
        "{}iteration {}{figure}",
        label_prefix(name),
        run.iteration()
    )
}

/// A GIF written frame by frame: each frame gets its own palette, and only the box of pixels
/// that changed since the frame before is encoded (drawn over it).
struct GifWriter {
    encoder: gif::Encoder<std::io::BufWriter<std::fs::File>>,
    previous: Option<RgbImage>,
    path: PathBuf,
}

impl GifWriter {
    fn create(path: &Path, width: u32, height: u32) -> Result<Self, CliError> {
        let (w, h) = (
            u16::try_from(width).map_err(|_| CliError(format!("{width} pixels is too wide")))?,
            u16::try_from(height).map_err(|_| CliError(format!("{height} pixels is too tall")))?,
        );
        let file = std::fs::File::create(path)
            .map_err(|e| CliError(format!("cannot write {}: {e}", path.display())))?;
        let mut encoder = gif::Encoder::new(std::io::BufWriter::new(file), w, h, &[])
            .map_err(|e| CliError(format!("{}: {e}", path.display())))?;
        encoder
            .set_repeat(gif::Repeat::Infinite)
            .map_err(|e| CliError(format!("{}: {e}", path.display())))?;
        Ok(Self {
            encoder,
            previous: None,
            path: path.to_owned(),
        })
    }

    /// Adds `image`, shown for `delay` hundredths of a second.
    fn frame(&mut self, image: &RgbImage, delay: u16) -> Result<(), CliError> {
        let (w, h) = image.dimensions();
        let (x0, y0, x1, y1) = match &self.previous {
            None => (0, 0, w, h),
            Some(prev) => changed_box(prev, image).unwrap_or((0, 0, 1, 1)),
        };
        // Inside the box, pixels as they were are transparent: long runs the LZW packs well.
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
            .map_err(|e| CliError(format!("{}: {e}", self.path.display())))?;
        self.previous = Some(image.clone());
        Ok(())
    }

    /// Finishes the file; its size in bytes.
    fn finish(self) -> Result<u64, CliError> {
        let path = self.path.clone();
        let writer = self
            .encoder
            .into_inner()
            .map_err(|e| CliError(format!("{}: {e}", path.display())))?;
        drop(writer);
        Ok(std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0))
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

    #[test]
    fn frames_start_at_0_end_at_the_last_and_spread_out() {
        let f = frame_iterations(60, 100_000);
        assert_eq!(f[0], 0);
        assert_eq!(*f.last().unwrap(), 100_000);
        assert!(f.windows(2).all(|w| w[0] < w[1]));
        let gaps: Vec<u64> = f.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(
            gaps.windows(2).all(|g| g[0] <= g[1] + 1),
            "log-spaced: {gaps:?}"
        );
        assert_eq!(frame_iterations(60, 10), (0..=10).collect::<Vec<_>>());
    }
}
