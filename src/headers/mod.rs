//! `guardmin headers`: cross-origin isolation headers (to be written).

use clap::Args;

#[derive(Args, Debug)]
pub struct HeadersArgs {}

pub fn run(_args: HeadersArgs) -> i32 {
    eprintln!("guardmin headers: not implemented yet");
    2
}
