//! Two threads for one training iteration: every stage of a pass is split in two parts that
//! touch disjoint rows, run at once, and joined before the next stage.
//!
//! Each number is still computed by one thread in the article's order, so results are
//! bit-identical to one thread. Waiting is a spin (a stage lasts microseconds, far less than
//! waking a sleeping thread), so the helper exists only while a `train` call runs.

use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use super::kernel::Exec;

/// The job slot shared by the calling thread and its helper.
pub struct Pair {
    /// Bumped by the caller when a job is posted.
    posted: AtomicU64,
    /// Set by the helper to the job's number when its part is done.
    done: AtomicU64,
    stop: AtomicBool,
    panicked: AtomicBool,
    job: UnsafeCell<Option<*const (dyn Fn(usize) + Sync)>>,
}

// SAFETY: `job` is written by the caller only while the helper waits (before `posted` is bumped
// with Release) and read by the helper only after it sees the bump (Acquire); the caller does
// not return from `run` (so the job outlives its use) until the helper reports it done.
unsafe impl Sync for Pair {}

impl Default for Pair {
    fn default() -> Self {
        Self {
            posted: AtomicU64::new(0),
            done: AtomicU64::new(0),
            stop: AtomicBool::new(false),
            panicked: AtomicBool::new(false),
            job: UnsafeCell::new(None),
        }
    }
}

/// Spins, then yields, until `ready()`.
fn wait(ready: impl Fn() -> bool) {
    let mut spins = 0u32;
    while !ready() {
        if spins < 1 << 14 {
            std::hint::spin_loop();
            spins += 1;
        } else {
            std::thread::yield_now();
        }
    }
}

impl Pair {
    /// Runs `f` with a helper thread that takes part 1 of every stage; ends the helper after.
    pub fn with<R>(f: impl FnOnce(&Pair) -> R) -> R {
        let pair = Pair::default();
        std::thread::scope(|scope| {
            scope.spawn(|| pair.serve());
            // Stop the helper however `f` ends.
            struct Stop<'a>(&'a Pair);
            impl Drop for Stop<'_> {
                fn drop(&mut self) {
                    self.0.stop.store(true, Ordering::Release);
                }
            }
            let _stop = Stop(&pair);
            f(&pair)
        })
    }

    /// The helper's loop: wait for a job, run part 1, report, until stopped.
    fn serve(&self) {
        let mut seen = 0;
        loop {
            wait(|| {
                self.posted.load(Ordering::Acquire) != seen || self.stop.load(Ordering::Acquire)
            });
            let posted = self.posted.load(Ordering::Acquire);
            if posted == seen {
                return; // stopped
            }
            // SAFETY: the job was stored before `posted` was bumped, and stays alive until
            // `done` says so (see `run`).
            let job = unsafe { (*self.job.get()).map(|j| &*j) };
            if let Some(job) = job {
                let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(1))).is_ok();
                if !ok {
                    self.panicked.store(true, Ordering::Release);
                }
            }
            seen = posted;
            self.done.store(posted, Ordering::Release);
        }
    }
}

impl Exec for Pair {
    fn parts(&self) -> usize {
        2
    }

    fn run(&self, job: &(dyn Fn(usize) + Sync)) {
        // SAFETY: the helper is waiting (the previous job is done), so nothing reads the slot;
        // the lifetime is erased only for the time this call waits for the helper below.
        unsafe {
            let erased: &'static (dyn Fn(usize) + Sync) = std::mem::transmute(job);
            *self.job.get() = Some(erased as *const _);
        }
        let number = self.posted.fetch_add(1, Ordering::AcqRel) + 1;
        job(0);
        wait(|| self.done.load(Ordering::Acquire) == number);
        assert!(
            !self.panicked.load(Ordering::Acquire),
            "the training helper thread panicked"
        );
    }
}
