//! Integration tests: one binary, a module per topic.

mod browser;
mod calibrate;
mod certify;
mod classify;
mod cli;
mod common;
mod console;
mod docs;
mod emulators;
mod faults;
mod feasa;
mod lines;
mod matrix;
mod modem;
mod ownership;
mod report_cli;
mod report_failure;
mod reports;
mod selftest;
mod signals;
