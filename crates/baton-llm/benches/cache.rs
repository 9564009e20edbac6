//! Prints the prompt-caching figure: billed input of a 10-turn tool-using agent (tool results
//! of about 2,000 tokens) on the mock, without and with the conversation's rolling breakpoint.

#[path = "../tests/common/mod.rs"]
mod common;

use common::cache_figure::{before_and_after, billed_input, TURNS};

#[tokio::main]
async fn main() {
    let (before, after) = before_and_after().await;
    let line = |name: &str, t: &baton_testkit::TokenTotals| {
        println!(
            "{name:<7} input {:>7}  cache writes {:>7}  cache reads {:>7}  billed input {:>9.0}",
            t.input_tokens,
            t.cache_write_tokens,
            t.cache_read_tokens,
            billed_input(t)
        );
    };
    println!("{TURNS}-turn agent, ~2,000-token tool results (writes 1.25×, reads 0.1×)");
    line("before", &before);
    line("after", &after);
    println!(
        "billed input {:.1}× lower",
        billed_input(&before) / billed_input(&after)
    );
}
