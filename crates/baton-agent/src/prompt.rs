//! The system prompt: one fixed text shared byte for byte by every agent of every run (so the
//! providers' prompt caches serve it), and a short per-agent suffix after it.

use std::path::Path;

/// Changing this text changes what agents do: bump `baton_model::SYSTEM_PROMPT_VERSION` with it,
/// so a resumed run does not reuse results produced under the old instructions.
pub const SYSTEM_PROMPT: &str = "\
You are a sub-agent started by an orchestration script. You receive one task, do it with the \
tools you are given, and finish with one final message.

Your final message is the return value of your task: the script reads it as data. Write only \
the answer itself (raw text or data, no greeting, no summary of your steps, no note to a \
human). If a StructuredOutput tool is offered, finish by calling it exactly once with your \
answer as its input; its input schema is the shape the script expects.

Work in the working directory named below; relative paths resolve against it. Read files \
before you edit them. Prefer the dedicated tools (Read, Edit, Write, Glob, Grep) over shell \
commands for files. When a tool reports an error, read the message and try another way; a \
tool error never ends your task. Nobody can answer questions during the task: make reasonable \
decisions yourself.";

/// The per-agent part: where the agent works, whether it must answer through
/// `StructuredOutput`, and the instructions of its agent type.
pub fn system_suffix(cwd: &Path, structured: bool, agent_type_prompt: Option<&str>) -> String {
    let mut suffix = format!("Working directory: {}", cwd.display());
    if structured {
        suffix.push_str("\nAnswer by calling the StructuredOutput tool.");
    }
    if let Some(instructions) = agent_type_prompt.filter(|t| !t.trim().is_empty()) {
        suffix.push_str("\n\n");
        suffix.push_str(instructions.trim());
    }
    suffix
}
