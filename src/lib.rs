//! nnviz: watch a neural network learn.
//!
//! The numeric core ([`nn`], [`data`], [`train`]) is plain Rust with no UI import, usable headless
//! from the command line ([`cli`]) and from tests; the app ([`app`], [`ui`]) only draws and sends
//! commands.

pub mod cli;
pub mod code;
pub mod data;
pub mod lesson;
pub mod model;
pub mod names;
pub mod nn;
pub mod picture;
pub mod text;
pub mod train;

#[cfg(feature = "gui")]
pub mod app;
#[cfg(feature = "gui")]
pub mod ui;
