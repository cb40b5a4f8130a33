//! `wsguard demo` (pending).
use crate::style::ColorChoice;
use clap::Args;

/// Arguments of `wsguard demo`.
#[derive(Args, Debug)]
pub struct DemoArgs {}

/// Runs the demo.
pub fn run(_args: DemoArgs, _color: ColorChoice) -> u8 {
    0
}
