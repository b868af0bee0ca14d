//! The model loader on any bytes (`SavedModel::from_json`), then `.network()`, a save and load
//! again, and a prediction as `nnviz predict` makes one: the input is a model file, optionally
//! followed by a NUL byte and a CSV of rows to predict. The checks live in
//! tests/all/corpus/oracle.rs, which `cargo test` also runs on the inputs found so far.

#![no_main]

#[allow(dead_code)] // The other target's check.
#[path = "../../tests/all/corpus/oracle.rs"]
mod oracle;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| oracle::check_model(bytes));
