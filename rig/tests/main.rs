//! Integration tests: one binary, a module per topic.

mod calibrate;
mod classify;
mod cli;
mod common;
mod faults;
mod matrix;
mod signals;
