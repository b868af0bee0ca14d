//! `nnviz animate`: the decision regions over training as an animated GIF, one frame per
//! log-spaced iteration, each labelled with its iteration and accuracy; several runs side by
//! side.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use clap::Args;
use image::RgbImage;

use crate::data::{Builtin, Dataset, Prepared};
use crate::picture::{GifWriter, Plane, decision_picture};
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

pub use crate::picture::frame_iterations;

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
    if args.train.seeds.is_some() {
        return Err(CliError(
            "animate draws one seed: give --seed, not --seeds".into(),
        ));
    }
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
    let file = std::fs::File::create(&args.out)
        .map_err(|e| CliError(format!("cannot write {}: {e}", args.out.display())))?;
    let gif_error = |e: String| CliError(format!("{}: {e}", args.out.display()));
    let mut writer = GifWriter::new(
        std::io::BufWriter::new(file),
        args.size * runs.len() as u32,
        args.size,
    )
    .map_err(gif_error)?;
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
        writer
            .frame(&frame, if last { 250 } else { 8 })
            .map_err(gif_error)?;
    }
    drop(writer.finish().map_err(gif_error)?);
    let bytes = std::fs::metadata(&args.out).map_or(0, |m| m.len());
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
