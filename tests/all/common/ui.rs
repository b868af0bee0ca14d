//! Helpers of the tests that drive the app through its real UI with egui_kittest.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use nnviz::app::session::MAIN;
use nnviz::app::{App, AppOptions};

use super::WAIT;

/// The most frames [`settle`] draws for the app to settle. The decision grid is computed a
/// slice per frame, sized by time, so how many frames it takes depends on the machine and its
/// load: the tests wait for the settled state, never for a count.
pub const SETTLE_FRAMES: usize = 4_000;

/// Waits for the worker to apply every command sent, then draws frames until the app asks for
/// no more (the plot and the numbers caught up), at most [`SETTLE_FRAMES`]. While the network
/// pauses, it first waits for it (and the baseline) to finish what they were asked.
pub fn settle(harness: &mut Harness<'static, App>) {
    for _ in 0..SETTLE_FRAMES / 4 {
        let session = &mut harness.state_mut().session;
        if session.playing() {
            session.wait_until(WAIT, |_| true);
        } else {
            session.wait_idle(WAIT);
        }
        // `run_ok` draws at most the harness's few `max_steps`: go on until a run settles.
        if harness.run_ok().is_some() {
            return;
        }
    }
    panic!("the app still asks for frames after {SETTLE_FRAMES} of them");
}

/// Lets the worker apply every command sent, then draws `frames` frames with its state.
pub fn sync(harness: &mut Harness<'static, App>, frames: usize) {
    harness.state_mut().session.wait_until(WAIT, |_| true);
    harness.run_steps(frames);
}

/// Waits until the network is paused with nothing left to do, then draws a frame.
pub fn wait_paused(harness: &mut Harness<'static, App>) {
    harness.state_mut().session.wait_paused(WAIT);
    harness.run_steps(1);
}

/// Waits until the network has trained past `iteration` (it must be playing).
pub fn wait_past(harness: &mut Harness<'static, App>, iteration: u64) {
    harness
        .state_mut()
        .session
        .wait_until(WAIT, |p| p.runs[MAIN].iteration > iteration);
    harness.run_steps(1);
}

/// A file dropped on the window, held in memory.
#[derive(Debug)]
pub struct MemoryFile {
    path: std::path::PathBuf,
    bytes: Vec<u8>,
}

impl egui::DroppedFile for MemoryFile {
    fn path(&self) -> &std::path::Path {
        &self.path
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        Ok(self.bytes.clone())
    }
}

pub fn drop_file(harness: &mut Harness<'static, App>, name: &str, bytes: Vec<u8>) {
    harness
        .input_mut()
        .dropped_files
        .push(std::sync::Arc::new(MemoryFile {
            path: name.into(),
            bytes,
        }));
}

pub fn harness() -> Harness<'static, App> {
    harness_sized(1280.0, 800.0)
}

/// A fresh app (no saved settings) in a window of `width` × `height` points.
pub fn harness_sized(width: f32, height: f32) -> Harness<'static, App> {
    Harness::builder()
        .with_size(egui::vec2(width, height))
        .build_eframe(|cc| {
            App::with_options(
                cc,
                &AppOptions {
                    fresh: true,
                    ..AppOptions::default()
                },
            )
        })
}

/// The decision plot and the numbers show the network's current weights.
pub fn assert_caught_up(app: &App) {
    assert!(
        !app.grid().behind(app.session.main()),
        "the plot shows older weights"
    );
    assert!(
        !app.session.main().metrics_behind,
        "the numbers show older weights"
    );
}

/// Pauses a harness whose app starts playing, and waits until the network stands still.
pub fn pause(harness: &mut Harness<'static, App>) {
    harness.run_steps(2);
    harness.get_by_label("Pause").click();
    harness.run_steps(1);
    assert!(!harness.state().session.playing(), "pausing is immediate");
    wait_paused(harness);
    assert!(!harness.state().session.main().playing);
}

/// A click on the middle of the decision plot, as a pointer makes it (hover, press, release),
/// then the frames that apply it.
pub fn click_plot_middle(harness: &mut Harness<'static, App>) {
    let at = harness
        .state()
        .plot_rect()
        .expect("the plot was drawn")
        .center();
    harness.hover_at(at);
    harness.run_steps(1);
    harness.drag_at(at);
    harness.run_steps(1);
    harness.drop_at(at);
    harness.run_steps(2);
    sync(harness, 1);
}
