//! nnviz: watch a neural network learn.
