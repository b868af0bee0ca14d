//! The setup text (Paste setup…, `nnviz --setup`) on any bytes: applied to the default
//! settings with and without a CSV file open; an error is one bounded line, and a setup that
//! applies is written out and applies again to the same runs. The checks live in
//! tests/all/corpus/oracle.rs, which `cargo test` also runs on the inputs found so far.
//! Needs the app: `cargo +nightly fuzz run setup --features gui`.

#![no_main]

#[allow(dead_code)] // The other targets' checks.
#[path = "../../tests/all/corpus/oracle.rs"]
mod oracle;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| oracle::check_setup(bytes));
