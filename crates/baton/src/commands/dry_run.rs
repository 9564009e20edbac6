//! `--dry-run`: plays the run on the `sim` model over several seeds and prints the estimate,
//! as a table for people or, with `--json`, as exactly one JSON object on stdout (what the MCP
//! server and `baton new` read).

use anyhow::Result;

use crate::exit;
use crate::extensions::{self, NO_SEARCH_BACKEND};
use crate::preflight::{self, Preview};

/// Prints the estimate; exit 0 when every seed's run completed, 1 when one failed.
pub fn dry_run(preview: &Preview, json: bool) -> Result<i32> {
    let estimate = preflight::estimate(preview)?;
    if !estimate.web_search_askers.is_empty()
        && !extensions::search_available(preview.settings, preview.cwd, preview.home)
    {
        let askers: Vec<&str> = estimate
            .web_search_askers
            .iter()
            .map(String::as_str)
            .collect();
        eprintln!(
            "baton: agents ask for WebSearch ({}), but {NO_SEARCH_BACKEND}",
            askers.join(", ")
        );
    }
    if json {
        println!("{}", estimate.json());
    } else {
        print!("{}", estimate.phase_table());
        print!("{}", estimate.render());
        for cap in &estimate.caps {
            eprintln!("baton: a cap binds: {cap}");
        }
        // Seeds often fail the same way: each message once, with the seeds it came from.
        let mut said: Vec<(&str, Vec<String>)> = Vec::new();
        for (seed, message) in &estimate.failures {
            match said.iter_mut().find(|(m, _)| m == message) {
                Some((_, seeds)) => seeds.push(seed.to_string()),
                None => said.push((message, vec![seed.to_string()])),
            }
        }
        for (message, seeds) in said {
            eprintln!("{message}");
            eprintln!(
                "baton: the dry run failed (seed {} of {})",
                seeds.join(", "),
                estimate.seeds
            );
        }
    }
    Ok(if estimate.failures.is_empty() {
        exit::COMPLETED
    } else {
        exit::FAILED
    })
}
