//! Cached conversations on the mock's prompt-cache emulation: with the rolling breakpoint,
//! each turn of a tool-using agent reads the earlier turns and writes only what is new.

mod common;

use common::cache_figure::{before_and_after, billed_input, TURNS};

#[tokio::test]
async fn a_ten_turn_agent_bills_at_least_three_times_less_input() {
    let (before, after) = before_and_after().await;
    assert_eq!(
        (before.requests, after.requests),
        (TURNS as u64, TURNS as u64)
    );
    // The same prompts were counted: only the cache's share of them differs.
    let prompt = |t: &baton_testkit::TokenTotals| {
        t.input_tokens + t.cache_read_tokens + t.cache_write_tokens
    };
    assert_eq!(prompt(&before), prompt(&after));
    // Every turn after the first reads what the one before it wrote.
    assert!(after.cache_read_tokens > 9 * 2_000 * 4, "{after:?}");
    let ratio = billed_input(&before) / billed_input(&after);
    assert!(
        ratio >= 3.0,
        "before {before:?}, after {after:?}: {ratio:.2}×"
    );
}
