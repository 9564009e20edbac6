//! `baton guide [topic]`: the authoring guide `baton new`'s author reads, for people.

use anyhow::Result;

use crate::exit;

pub fn guide(topic: Option<&str>) -> Result<i32> {
    match baton_guide::render(topic) {
        Ok(text) => {
            print!("{text}");
            if topic.is_none() {
                println!("\n`baton guide <topic>` prints one; `baton new \"<task>\"` has a model write a workflow with it.");
            }
            Ok(exit::COMPLETED)
        }
        Err(message) => {
            eprintln!("error: {message}");
            Ok(exit::USAGE)
        }
    }
}
