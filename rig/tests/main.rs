//! Integration tests: one binary, a module per topic.

mod cli;
mod common;
mod faults;
mod matrix;
