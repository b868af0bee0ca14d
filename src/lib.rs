//! nnviz: watch a neural network learn.

pub mod data;
pub mod nn;
