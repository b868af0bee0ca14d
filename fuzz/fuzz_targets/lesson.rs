//! A lesson file on any bytes: read, and checked as the window applies it; an error names its
//! line and column, and nothing panics. The checks live in tests/all/corpus/oracle.rs, which
//! `cargo test` also runs on the inputs found so far.
//! Needs the app: `cargo +nightly fuzz run lesson --features gui`.

#![no_main]

#[allow(dead_code)] // The other targets' checks.
#[path = "../../tests/all/corpus/oracle.rs"]
mod oracle;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| oracle::check_lesson(bytes));
