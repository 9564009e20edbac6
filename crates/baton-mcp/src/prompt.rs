//! The `author-workflow` prompt: the authoring guide whole, the task, and the instruction to
//! hand the finished script to `workflow_run`.

use rmcp::model::{GetPromptResult, Prompt, PromptArgument, PromptMessage, Role};

pub const NAME: &str = "author-workflow";

pub fn definition() -> Prompt {
    Prompt::new(
        NAME,
        Some("Write a baton workflow for a task with the authoring guide, then run it."),
        Some(vec![PromptArgument::new("task")
            .with_description("What the workflow should do.")
            .with_required(false)]),
    )
}

pub fn render(task: Option<&str>) -> GetPromptResult {
    let mut text = String::from(
        "You are writing a baton workflow: a JavaScript script that orchestrates sub-agents. \
         Here is the authoring guide.\n\n",
    );
    text.push_str(&baton_guide::index());
    for topic in baton_guide::TOPICS {
        text.push_str(&format!("\n\n## Topic `{}`\n\n{}", topic.name, topic.text));
    }
    text.push_str("\n\n---\n\n");
    match task.map(str::trim).filter(|t| !t.is_empty()) {
        Some(task) => text.push_str(&format!("The task: {task}\n\n")),
        None => text.push_str("Ask the user what the workflow should do, then write it.\n\n"),
    }
    text.push_str(
        "Write the whole script, then call the `workflow_run` tool with it as `script` (and \
         `args` if it takes any). If it is rejected, fix what the diagnostics say and call \
         again. Then call `workflow_await` with the run id until `returnedBecause` is \
         `terminal`, and report the result.",
    );
    GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)])
        .with_description("Write a baton workflow with the authoring guide and run it.")
}
