//! Every integration test in one binary (each test binary links the whole egui stack, so one
//! link instead of fourteen). Each module is one subject; `cargo test --test all MODULE::` runs
//! one of them.
//!
//! The tests that compare against the article's R results need its reference files:
//! `NNVIZ_REFERENCE=../shared/reference cargo test`. Without the variable they are compiled as
//! ignored, and the summary counts them as such ("N ignored"), with the reason in the listing.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

mod common;
mod corpus;

mod app_model;
mod classroom;
mod cli;
mod data_csv;
mod data_reference;
mod diagnose;
mod explain;
mod explain_window;
mod export_code;
mod extremes;
mod fidelity;
mod fuzz;
mod gradients;
mod inputs;
mod layering;
mod lessons;
mod malformed;
mod memory;
mod names;
mod pipeline;
mod presets;
mod session_file;
mod soak;
mod timeline;
mod training;
mod ui_app;
mod worker;
