//! A long session through the app's own per-frame path (a session's worker, as the window plays it): memory stays
//! flat (the history is thinned) and training does not slow down.
//!
//! Ignored by default; `cargo test --test all soak:: -- --ignored` runs 10 million iterations, and
//! `NNVIZ_SOAK_ITERATIONS` sets another bound (CI runs a small one).

#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use std::time::{Duration, Instant};

use nnviz::app::settings::Settings;

/// A memory figure of this process in kB (Linux), if known: `VmRSS` (resident now) or `VmHWM`
/// (the peak of resident memory so far).
fn memory_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn resident_kb() -> Option<u64> {
    memory_kb("VmRSS:")
}

fn soak(iterations: u64) {
    let mut settings = Settings::default();
    settings.run.training.stop_after = Some(iterations);
    let mut session = crate::common::session(&settings);
    session.set_playing(true);
    let start = Instant::now();
    let mut memory_at_start = None;
    let mut peak_at_start = None;
    let mut rate_at_start = None;
    let mut last = (Instant::now(), 0u64);
    let mut rates = Vec::new();
    loop {
        std::thread::sleep(Duration::from_millis(20));
        session.refresh();
        let main = session.main();
        assert!(main.stopped.is_none(), "stopped: {:?}", main.stopped);
        let done = main.iteration;
        if done >= iterations {
            break;
        }
        assert!(
            start.elapsed() < crate::common::WAIT * 10,
            "only {done} iterations after {:?}",
            start.elapsed()
        );
        if done >= iterations / 10 && memory_at_start.is_none() {
            memory_at_start = resident_kb();
            peak_at_start = memory_kb("VmHWM:");
        }
        if last.0.elapsed() >= Duration::from_millis(500) {
            rates.push((done - last.1) as f64 / last.0.elapsed().as_secs_f64());
            last = (Instant::now(), done);
            rate_at_start.get_or_insert(rates[0]);
        }
    }
    let memory_at_end = resident_kb();
    let peak_at_end = memory_kb("VmHWM:");
    let history = &session.main().history;
    let points = history.points().len();
    eprintln!(
        "soak: {} iterations in {:.1} s; resident memory {:?} kB after 10 %, {:?} kB at the end; peak {:?} kB after 10 %, {:?} kB at the end; {} history points (stride {}); iterations/s first {:?}, last {:?}",
        session.main().iteration,
        start.elapsed().as_secs_f64(),
        memory_at_start,
        memory_at_end,
        peak_at_start,
        peak_at_end,
        points,
        history.stride(),
        rates.first(),
        rates.last(),
    );
    assert!(points <= 2048, "history grew to {points} points");
    if let (Some(a), Some(b)) = (memory_at_start, memory_at_end) {
        assert!(b <= a + 4096, "memory grew from {a} kB to {b} kB");
    }
    if let (Some(a), Some(b)) = (peak_at_start, peak_at_end) {
        assert!(b <= a + 4096, "peak memory grew from {a} kB to {b} kB");
    }
    if rates.len() >= 4 {
        // Medians of the first and last quarters, so one busy moment of the machine does not
        // decide it.
        let median = |v: &[f64]| {
            let mut v = v.to_vec();
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let quarter = rates.len() / 4;
        let (early, late) = (
            median(&rates[..quarter]),
            median(&rates[rates.len() - quarter..]),
        );
        assert!(
            late > early * 0.5,
            "slowed down from {early:.0} to {late:.0} iterations/s"
        );
    }
}

#[test]
#[ignore = "long: run with --ignored (10 million iterations) or set NNVIZ_SOAK_ITERATIONS"]
fn ten_million_iterations_stay_flat() {
    soak(10_000_000);
}

#[test]
fn a_bounded_soak_stays_flat() {
    let iterations = std::env::var("NNVIZ_SOAK_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50_000);
    soak(iterations);
}
