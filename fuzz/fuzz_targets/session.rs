//! Session files (Open session…, `nnviz --session`, a dropped `.nnviz` file) on any bytes,
//! opened over the default settings: an error is one bounded line naming the file; a session
//! that opens is written out again and opens to the same data, runs and weights, and its runs
//! train on. The checks live in tests/all/corpus/oracle.rs, which `cargo test` also runs on the
//! inputs found so far. Needs the app: `cargo +nightly fuzz run session --features gui`.

#![no_main]

#[allow(dead_code)] // The other targets' checks.
#[path = "../../tests/all/corpus/oracle.rs"]
mod oracle;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| oracle::check_session(bytes));
