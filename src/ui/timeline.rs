//! The timeline under the curves: a scrubber over the moments run 1 kept, back to any of them
//! (every run shows its own kept moment there), and a button to branch from it.

use crate::app::commands::Command;
use crate::train::timeline::Moments;

/// The moment `k` kept moments from the one shown (`scrubbed`, or the live end at iteration
/// `live`), within `moments`: `None` is the live end.
pub fn step_moment(moments: &Moments, scrubbed: Option<u64>, live: u64, k: i64) -> Option<u64> {
    let kept = &moments.snapshots;
    let shown = scrubbed.unwrap_or(live);
    // The place of the moment shown; the live end counts as one past the last kept before it.
    let below = kept.partition_point(|s| s.iteration() < shown);
    let at = if kept.get(below).is_some_and(|s| s.iteration() == shown) || scrubbed.is_some() {
        below
    } else {
        below.saturating_sub(1) + 1
    };
    let next = (at as i64 + k).max(0) as usize;
    kept.get(next).map(|s| s.iteration()).filter(|&i| i < live)
}

/// The scrubber: `moments` of run 1, the moment shown (`scrubbed`; `None` while live) and the
/// live iteration.
pub fn timeline_ui(
    ui: &mut egui::Ui,
    moments: &Moments,
    scrubbed: Option<u64>,
    live: u64,
    commands: &mut Vec<Command>,
) {
    let n = moments.snapshots.len();
    if n == 0 {
        return;
    }
    ui.horizontal_wrapped(|ui| {
        ui.strong("Timeline");
        let width = (ui.available_width() - 360.0).clamp(100.0, 900.0);
        ui.spacing_mut().slider_width = width;
        // Along the iterations, as the curves' axis below; snapped to a kept moment.
        let mut value = scrubbed.unwrap_or(live);
        let slider = egui::Slider::new(&mut value, 0..=live.max(1))
            .show_value(false)
            .text(format!(
                "iteration {} of {}",
                super::stats::format_count(scrubbed.unwrap_or(live)),
                super::stats::format_count(live)
            ));
        let response = ui.add(slider).on_hover_text(
            "Drag back through training: the plot, the network, the numbers and the \
             confusion matrices show that moment (the latest kept at or before it), and the \
             curves mark it. ← and → move between kept moments; Play goes back to the live end.",
        );
        if response.changed() {
            let at = (value < live)
                .then(|| moments.at_or_before(value).map(|s| s.iteration()))
                .flatten();
            commands.push(Command::ScrubTo(at));
        }
        if scrubbed.is_some() {
            if ui
                .button("Continue from here")
                .on_hover_text(
                    "Train on from this moment (its weights and optimiser state), as if the \
                     run had gone on from here: the later moments are dropped",
                )
                .clicked()
            {
                commands.push(Command::ContinueFromHere);
            }
            if ui
                .button("Live")
                .on_hover_text("Back to the latest weights")
                .clicked()
            {
                commands.push(Command::ScrubTo(None));
            }
        }
        ui.weak(format!(
            "{n} kept · {}/{} MB",
            megabytes(moments.bytes),
            moments.budget / (1024 * 1024)
        ))
        .on_hover_text(
            "The moments kept: each run keeps its weights and optimiser state every iteration \
             at first, then ever more sparsely, within this memory bound (a bigger network \
             keeps fewer)",
        );
    });
}

fn megabytes(bytes: usize) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    if mb < 10.0 {
        format!("{mb:.1}")
    } else {
        format!("{mb:.0}")
    }
}
