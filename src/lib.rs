//! nnviz: watch a neural network learn.
//!
//! The numeric core ([`nn`], [`train`]) is plain Rust with no UI import, usable headless from the
//! command line and from tests.

pub mod data;
pub mod nn;
pub mod train;

#[cfg(feature = "gui")]
pub mod app;
#[cfg(feature = "gui")]
pub mod ui;
