//! No input makes nnviz use more than a few times its size in memory: every malformed case, a
//! large valid CSV and a large valid model are read under an allocator that records the peak.
//!
//! The allocator counts per thread, so the other tests of this binary, running beside this one,
//! do not disturb its peaks.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::fmt::Write as _;

use nnviz::data::{ColumnRoles, read_csv_bytes, read_csv_path};
use nnviz::model::SavedModel;

use crate::corpus;

/// The system allocator, counting on each thread the bytes that thread allocated and freed.
///
/// The counts are per thread because every integration test shares this binary (and so this
/// allocator) and runs beside the others: only the measuring thread's own allocations count.
struct Counting;

thread_local! {
    // Bytes this thread allocated minus those it freed (negative after it frees older blocks).
    static LIVE: Cell<isize> = const { Cell::new(0) };
    // The most `LIVE` has been since the last reset.
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

/// Adds `delta` bytes to this thread's count and raises its peak. Threads that are exiting
/// (their counters already gone) are not counted.
fn count(delta: isize) {
    let _ = LIVE.try_with(|live| {
        live.set(live.get() + delta);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(live.get())));
    });
}

fn size(bytes: usize) -> isize {
    isize::try_from(bytes).unwrap_or(isize::MAX)
}

// SAFETY: every call is passed to the system allocator unchanged; only counters are added, and
// the counters are const-initialised thread-locals of a type without a destructor, which never
// allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is the system allocator's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            count(size(layout.size()));
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) };
        count(-size(layout.size()));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as above.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            // Count the moment both blocks may exist: a conservative peak.
            count(size(new_size));
            count(-size(layout.size()));
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The most bytes `f` had allocated at once on this thread beyond what was live before it ran.
fn peak_extra<T>(f: impl FnOnce() -> T) -> usize {
    let base = LIVE.with(Cell::get);
    PEAK.with(|peak| peak.set(base));
    drop(f());
    usize::try_from(PEAK.with(Cell::get) - base).unwrap_or(0)
}

/// "A few times the input's size": four times it, plus 1 MiB for fixed costs on tiny inputs.
fn allowance(input_len: usize) -> usize {
    4 * input_len + (1 << 20)
}

#[test]
fn no_input_needs_more_than_a_few_times_its_size() {
    let mut report = String::new();
    let mut check = |name: &str, len: usize, peak: usize| {
        writeln!(report, "{name}: {len} bytes in, peak {peak} bytes").unwrap();
        assert!(
            peak <= allowance(len),
            "{name}: reading {len} bytes took {peak} bytes at peak"
        );
    };

    let dir = std::env::temp_dir().join(format!("nnviz-memory-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    // Every malformed case from memory and from a file (where the reader trusts the file's
    // size for its first allocation).
    let file = dir.join("case.csv");
    for (name, bytes, _) in corpus::csv_cases() {
        let peak = peak_extra(|| read_csv_bytes("bad.csv", &bytes, &ColumnRoles::default()));
        check(&format!("csv {name}"), bytes.len(), peak);
        std::fs::write(&file, &bytes).unwrap();
        let peak = peak_extra(|| read_csv_path(&file, &ColumnRoles::default()));
        check(&format!("csv file {name}"), bytes.len(), peak);
    }
    let model_file = dir.join("case.json");
    for (name, json, _) in corpus::model_cases() {
        let peak = peak_extra(|| SavedModel::from_json("m.json", &json));
        check(&format!("model {name}"), json.len(), peak);
        std::fs::write(&model_file, &json).unwrap();
        let peak = peak_extra(|| SavedModel::load(&model_file));
        check(&format!("model file {name}"), json.len(), peak);
    }

    // 1100 good rows, then a hole to 1 TB: the file system reports 10^12 bytes, reads zeros.
    let sparse = dir.join("sparse.csv");
    let mut rows = String::from("x1,x2,label\n");
    for i in 0..1100 {
        writeln!(rows, "{},{},{}", i % 7, i % 5, ["a", "b"][i % 2]).unwrap();
    }
    std::fs::write(&sparse, &rows).unwrap();
    let handle = std::fs::OpenOptions::new()
        .write(true)
        .open(&sparse)
        .unwrap();
    if handle.set_len(1_000_000_000_000).is_ok() {
        let mut result = None;
        let peak = peak_extra(|| result = Some(read_csv_path(&sparse, &ColumnRoles::default())));
        let message = result.unwrap().unwrap_err().to_string();
        assert!(message.contains("NUL byte"), "{message}");
        check("sparse 1 TB csv", rows.len(), peak);
    }
    drop(handle);
    std::fs::remove_file(&sparse).unwrap();

    // A valid 200 000-row CSV, read from disk into a data set ready for training.
    let mut csv = String::from("x1,x2,x3,x4,label\n");
    for i in 0..200_000u32 {
        let v = f64::from(i) * 0.001;
        writeln!(csv, "{v},{},{},{},{}", -v, v * 2.0, v * 0.5, i % 3).unwrap();
    }
    let path = dir.join("big.csv");
    std::fs::write(&path, &csv).unwrap();
    let peak = peak_extra(|| read_csv_path(&path, &ColumnRoles::default()).unwrap());
    check("valid 200 000-row csv", csv.len(), peak);

    // A valid model of eight 256-unit layers.
    let layer = |rows: usize, cols: usize, activation: &str| {
        let row = format!("[{}]", vec!["0.123456789012345"; cols].join(","));
        format!(
            r#"{{"activation":"{activation}","weights":[{}]}}"#,
            vec![row; rows].join(",")
        )
    };
    let mut layers = vec![layer(3, 256, "tanh")];
    layers.extend((0..7).map(|_| layer(257, 256, "tanh")));
    layers.push(layer(257, 1, "sigmoid"));
    let json = corpus::model(&format!("[{}]", layers.join(",")));
    let peak = peak_extra(|| SavedModel::from_json("m.json", &json).unwrap());
    check("valid 8 × 256 model", json.len(), peak);
    std::fs::write(&model_file, &json).unwrap();
    let peak = peak_extra(|| SavedModel::load(&model_file).unwrap());
    check("valid 8 × 256 model file", json.len(), peak);
    std::fs::remove_dir_all(&dir).unwrap();

    println!("{report}");
}
