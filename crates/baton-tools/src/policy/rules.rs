//! Permission rules as users write them (`Bash(cargo test:*)`, `Bash(make)`, `Bash`, `Write`)
//! and how a Bash rule matches one simple command.

use std::fmt;

/// One allow or deny rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// A whole tool: `Bash` (every command) or `Write`, `Read`… (the tool itself).
    Tool(String),
    /// `Bash(prefix:*)`: commands that start with `prefix`, at a word boundary.
    BashPrefix(String),
    /// `Bash(command)`: exactly this command.
    BashExact(String),
}

impl Rule {
    /// Parses one rule; the error says what is wrong and what would be right.
    pub fn parse(text: &str) -> Result<Rule, String> {
        let text = text.trim();
        let known = crate::BUILT_IN.join(", ");
        let Some(open) = text.find('(') else {
            return match crate::BUILT_IN.contains(&text) {
                true => Ok(Rule::Tool(text.to_string())),
                false => Err(format!(
                    "permission rule '{text}': unknown tool; rules name one of {known}, e.g. \
                     'Bash(cargo test:*)'"
                )),
            };
        };
        let (tool, rest) = text.split_at(open);
        let Some(inner) = rest[1..].strip_suffix(')') else {
            return Err(format!(
                "permission rule '{text}': missing the closing ')', e.g. 'Bash(cargo test:*)'"
            ));
        };
        if tool != "Bash" {
            return Err(format!(
                "permission rule '{text}': only Bash rules take a pattern; write '{tool}' alone \
                 to allow or deny the whole tool"
            ));
        }
        let inner = inner.trim();
        match inner.strip_suffix(":*") {
            Some(prefix) if !prefix.trim().is_empty() => {
                Ok(Rule::BashPrefix(prefix.trim().to_string()))
            }
            _ if inner.is_empty() || inner == "*" => Ok(Rule::Tool("Bash".into())),
            Some(_) => Err(format!(
                "permission rule '{text}': empty prefix before ':*'"
            )),
            None => Ok(Rule::BashExact(inner.to_string())),
        }
    }

    /// Whether this rule covers the command `text` (one simple command, or a whole line).
    pub(crate) fn matches_command(&self, text: &str) -> bool {
        let text = text.trim();
        match self {
            Rule::Tool(tool) => tool == "Bash",
            Rule::BashExact(exact) => text == exact,
            Rule::BashPrefix(prefix) => text.strip_prefix(prefix.as_str()).is_some_and(|rest| {
                rest.is_empty() || rest.starts_with(char::is_whitespace) || prefix.ends_with(' ')
            }),
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Tool(tool) => write!(f, "{tool}"),
            Rule::BashPrefix(prefix) => write!(f, "Bash({prefix}:*)"),
            Rule::BashExact(exact) => write!(f, "Bash({exact})"),
        }
    }
}

/// The user's allow and deny rules, from the config files and the command line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rules {
    pub allow: Vec<Rule>,
    pub deny: Vec<Rule>,
}

impl Rules {
    /// Parses both lists; the first bad rule is the error.
    pub fn parse<S: AsRef<str>>(allow: &[S], deny: &[S]) -> Result<Rules, String> {
        let parse_all = |list: &[S]| -> Result<Vec<Rule>, String> {
            list.iter().map(|s| Rule::parse(s.as_ref())).collect()
        };
        Ok(Rules {
            allow: parse_all(allow)?,
            deny: parse_all(deny)?,
        })
    }

    /// Everything allowed (`Bash` in the allow list): for tests and for users who say so.
    pub fn allow_all() -> Rules {
        Rules {
            allow: vec![Rule::Tool("Bash".into())],
            deny: Vec::new(),
        }
    }

    /// Whether a deny rule names the tool itself: then it is not even offered.
    pub fn tool_denied(&self, tool: &str) -> bool {
        self.deny
            .iter()
            .any(|rule| *rule == Rule::Tool(tool.into()))
    }

    pub(crate) fn denying(&self, text: &str) -> Option<&Rule> {
        self.deny.iter().find(|rule| rule.matches_command(text))
    }

    pub(crate) fn allowing(&self, text: &str) -> Option<&Rule> {
        self.allow.iter().find(|rule| rule.matches_command(text))
    }

    /// An allow rule that names `text` whole: `Bash` or `Bash(exactly this)`, never a prefix.
    /// A prefix says nothing about what follows it, so it cannot vouch for a line that could
    /// not be read, nor for the redirections written after it.
    pub(crate) fn allowing_whole(&self, text: &str) -> Option<&Rule> {
        self.allow
            .iter()
            .find(|rule| !matches!(rule, Rule::BashPrefix(_)) && rule.matches_command(text))
    }

    /// Whether any deny rule names Bash commands (not the whole tool): then a line that cannot
    /// be read cannot be shown to be free of them.
    pub(crate) fn denies_commands(&self) -> bool {
        self.deny
            .iter()
            .any(|rule| matches!(rule, Rule::BashPrefix(_) | Rule::BashExact(_)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_parse_in_the_familiar_forms() {
        assert_eq!(
            Rule::parse("Bash(cargo test:*)"),
            Ok(Rule::BashPrefix("cargo test".into()))
        );
        assert_eq!(
            Rule::parse("Bash(make)"),
            Ok(Rule::BashExact("make".into()))
        );
        assert_eq!(Rule::parse("Bash"), Ok(Rule::Tool("Bash".into())));
        assert_eq!(Rule::parse("Bash(*)"), Ok(Rule::Tool("Bash".into())));
        assert_eq!(Rule::parse(" Write "), Ok(Rule::Tool("Write".into())));
        for bad in ["Bsh(ls)", "Bash(ls", "Read(src/**)", "Bash( :*)", "Shell"] {
            assert!(Rule::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Rule::BashPrefix("git".into()).to_string(), "Bash(git:*)");
    }

    #[test]
    fn prefixes_match_at_a_word_boundary() {
        let rule = Rule::parse("Bash(cargo test:*)").unwrap();
        assert!(rule.matches_command("cargo test"));
        assert!(rule.matches_command("cargo test -p baton"));
        assert!(!rule.matches_command("cargo testify"));
        assert!(!rule.matches_command("cargo build"));
        let exact = Rule::parse("Bash(make)").unwrap();
        assert!(exact.matches_command("make") && !exact.matches_command("make install"));
    }

    #[test]
    fn only_whole_rules_vouch_for_a_whole_line() {
        let rules = Rules::parse(&["Bash(git diff:*)", "Bash(make)"], &[]).unwrap();
        assert!(rules.allowing("git diff <<X").is_some());
        assert!(rules.allowing_whole("git diff <<X").is_none());
        assert!(rules.allowing_whole("make").is_some());
        assert!(Rules::allow_all().allowing_whole("anything <<X").is_some());
        assert!(!rules.denies_commands());
        assert!(Rules::parse(&["Bash"], &["Bash(rm:*)"])
            .unwrap()
            .denies_commands());
    }
}
