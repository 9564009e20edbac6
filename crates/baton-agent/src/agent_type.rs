//! Agent definitions (`agentType`): `.claude/agents/<name>.md`, front matter `name`,
//! `description`, `tools`, `model`, and a body that becomes the agent's instructions.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct AgentType {
    pub name: String,
    pub description: String,
    /// The tools this type may use; `None` when the file names none (then all are allowed).
    pub tools: Option<Vec<String>>,
    pub model: Option<String>,
    /// The Markdown body after the front matter.
    pub prompt: String,
}

/// Finds and caches agent definitions: the nearest `.claude/agents/` up from the workspace
/// wins, then `~/.claude/agents/`.
#[derive(Debug)]
pub struct AgentTypes {
    dirs: Vec<PathBuf>,
    loaded: Mutex<HashMap<String, AgentType>>,
}

impl AgentTypes {
    pub fn discover(workspace: &Path, home: Option<&Path>) -> AgentTypes {
        let mut dirs: Vec<PathBuf> = workspace
            .ancestors()
            .map(|dir| dir.join(".claude/agents"))
            .filter(|dir| dir.is_dir())
            .take(1)
            .collect();
        if let Some(home) = home {
            dirs.push(home.join(".claude/agents"));
        }
        AgentTypes {
            dirs,
            loaded: Mutex::new(HashMap::new()),
        }
    }

    pub fn get(&self, name: &str) -> Result<AgentType, String> {
        let mut loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(found) = loaded.get(name) {
            return Ok(found.clone());
        }
        if name.contains(['/', '\\']) || name.starts_with('.') {
            return Err(format!("agentType '{name}' is not a plain name"));
        }
        let file = format!("{name}.md");
        let Some(path) = self
            .dirs
            .iter()
            .map(|d| d.join(&file))
            .find(|p| p.is_file())
        else {
            let looked: Vec<String> = self.dirs.iter().map(|d| d.display().to_string()).collect();
            return Err(format!(
                "agentType '{name}': no {file} in {}",
                if looked.is_empty() {
                    "any .claude/agents/ folder".to_string()
                } else {
                    looked.join(" or ")
                }
            ));
        };
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("agentType '{name}': cannot read {}: {e}", path.display()))?;
        let parsed = parse(name, &text)
            .map_err(|e| format!("agentType '{name}': {}: {e}", path.display()))?;
        loaded.insert(name.to_string(), parsed.clone());
        Ok(parsed)
    }
}

/// Reads the small subset of YAML front matter that agent files use: `key: value` lines, and
/// `tools` as a comma-separated string, a `[A, B]` list or `- A` items.
pub fn parse(name: &str, text: &str) -> Result<AgentType, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut agent = AgentType {
        name: name.to_string(),
        ..AgentType::default()
    };
    let Some(rest) = text.strip_prefix("---") else {
        agent.prompt = text.trim().to_string();
        return Ok(agent);
    };
    let (front, body) = rest
        .split_once("\n---")
        .ok_or("the front matter opened with --- is never closed with ---")?;
    agent.prompt = body
        .split_once('\n')
        .map_or("", |(_, body)| body)
        .trim()
        .to_string();

    let mut list_key: Option<String> = None;
    for line in front.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let (Some(item), Some(key)) = (trimmed.strip_prefix("- "), list_key.as_deref()) {
            if key == "tools" {
                agent.tools.get_or_insert_with(Vec::new).push(unquote(item));
            }
            continue;
        }
        let Some((key, value)) = trimmed.split_once(':') else {
            return Err(format!("front matter line '{trimmed}' is not `key: value`"));
        };
        let (key, value) = (key.trim(), value.trim());
        list_key = value.is_empty().then(|| key.to_string());
        match key {
            "name" => agent.name = unquote(value),
            "description" => agent.description = unquote(value),
            "model" if !value.is_empty() && value != "inherit" => {
                agent.model = Some(unquote(value))
            }
            "tools" if !value.is_empty() => {
                let inner = value.trim_start_matches('[').trim_end_matches(']');
                agent.tools = Some(
                    inner
                        .split(',')
                        .map(unquote)
                        .filter(|tool| !tool.is_empty())
                        .collect(),
                );
            }
            _ => {}
        }
    }
    Ok(agent)
}

fn unquote(text: &str) -> String {
    let text = text.trim();
    text.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .or_else(|| text.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')))
        .unwrap_or(text)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_front_matter_in_its_usual_forms() {
        let agent = parse(
            "reviewer",
            "---\nname: reviewer\ndescription: \"Reviews code\"\ntools: Read, Grep, Glob\nmodel: haiku\n---\nYou review code.\n",
        )
        .unwrap();
        assert_eq!(agent.description, "Reviews code");
        assert_eq!(
            agent.tools,
            Some(vec!["Read".into(), "Grep".into(), "Glob".into()])
        );
        assert_eq!(agent.model.as_deref(), Some("haiku"));
        assert_eq!(agent.prompt, "You review code.");

        let listed = parse(
            "x",
            "---\ntools:\n  - Read\n  - Bash\nmodel: inherit\n---\nbody",
        )
        .unwrap();
        assert_eq!(listed.tools, Some(vec!["Read".into(), "Bash".into()]));
        assert_eq!(listed.model, None);
        let bracketed = parse("x", "---\ntools: [Read, 'Edit']\n---\n").unwrap();
        assert_eq!(bracketed.tools, Some(vec!["Read".into(), "Edit".into()]));
    }

    #[test]
    fn a_file_without_front_matter_is_all_prompt_and_an_unclosed_one_is_an_error() {
        assert_eq!(parse("x", "Just do it.").unwrap().prompt, "Just do it.");
        assert!(parse("x", "---\nname: x\nno end").is_err());
    }
}
