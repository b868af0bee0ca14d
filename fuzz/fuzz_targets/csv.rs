//! The CSV reader on any bytes: `Table::read_bytes`, `Table::columns`, `Table::cell`, the data
//! set under several column roles built both ways (`to_dataset`, `into_dataset` as
//! `read_csv_bytes` does), and `predict`'s `feature_matrix` on the file itself. The checks live
//! in tests/all/corpus/oracle.rs, which `cargo test` also runs on the inputs found so far.

#![no_main]

#[allow(dead_code)] // The other target's check.
#[path = "../../tests/all/corpus/oracle.rs"]
mod oracle;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| oracle::check_csv(bytes));
