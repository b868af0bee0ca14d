//! The `nnviz` binary.
fn main() {}
