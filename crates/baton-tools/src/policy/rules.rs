//! Permission rules as users write them (`Bash(cargo test:*)`, `Bash(make)`, `Bash`, `Write`,
//! `mcp__github__*`, `WebFetch(domain:example.com)`) and how a Bash rule matches one simple
//! command.

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
    /// `mcp__github__create_issue`, `mcp__github__*`, `mcp__github`: MCP tools by name, `*`
    /// matching any run of characters; a bare server name covers all its tools.
    Mcp(String),
    /// `WebFetch(domain:example.com)`: fetches from this host and its subdomains, private
    /// addresses included (the SSRF guard lets a named host through).
    FetchDomain(String),
}

/// Tools beyond the built-in six that rules may name whole.
pub const WEB_TOOLS: [&str; 2] = ["WebFetch", "WebSearch"];

impl Rule {
    /// Parses one rule; the error says what is wrong and what would be right.
    pub fn parse(text: &str) -> Result<Rule, String> {
        let text = text.trim();
        let known = [&crate::BUILT_IN[..], &WEB_TOOLS[..]].concat().join(", ");
        if let Some(rest) = text.strip_prefix("mcp__") {
            if rest.is_empty() || text.contains(char::is_whitespace) {
                return Err(format!(
                    "permission rule '{text}': name an MCP server or tool, e.g. \
                     'mcp__github__*' or 'mcp__github__create_issue'"
                ));
            }
            return Ok(Rule::Mcp(text.to_string()));
        }
        let Some(open) = text.find('(') else {
            return match crate::BUILT_IN.contains(&text) || WEB_TOOLS.contains(&text) {
                true => Ok(Rule::Tool(text.to_string())),
                false => Err(format!(
                    "permission rule '{text}': unknown tool; rules name one of {known} or an \
                     MCP tool (mcp__<server>__<tool>), e.g. 'Bash(cargo test:*)'"
                )),
            };
        };
        let (tool, rest) = text.split_at(open);
        let Some(inner) = rest[1..].strip_suffix(')') else {
            return Err(format!(
                "permission rule '{text}': missing the closing ')', e.g. 'Bash(cargo test:*)'"
            ));
        };
        if tool == "WebFetch" {
            return match inner.trim().strip_prefix("domain:").map(str::trim) {
                Some(host) if !host.is_empty() && !host.contains(['/', ' ']) => {
                    Ok(Rule::FetchDomain(host.to_ascii_lowercase()))
                }
                _ => Err(format!(
                    "permission rule '{text}': WebFetch rules name a host, e.g. \
                     'WebFetch(domain:example.com)'"
                )),
            };
        }
        if tool != "Bash" {
            return Err(format!(
                "permission rule '{text}': only Bash and WebFetch rules take a pattern; write \
                 '{tool}' alone to allow or deny the whole tool"
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
            Rule::Mcp(_) | Rule::FetchDomain(_) => false,
        }
    }

    /// Whether this rule names the tool `name` whole (`Write`, `WebFetch`, `mcp__github__*`).
    pub fn names_tool(&self, name: &str) -> bool {
        match self {
            Rule::Tool(tool) => tool == name,
            Rule::Mcp(pattern) => {
                wildcard(pattern, name)
                    || name
                        .strip_prefix(pattern.as_str())
                        .is_some_and(|rest| rest.starts_with("__"))
            }
            _ => false,
        }
    }

    /// Whether this rule could name some tool of the MCP server `server`: the part of the
    /// pattern before its tool part matches the server's name.
    fn may_name_server(&self, server: &str) -> bool {
        let Rule::Mcp(pattern) = self else {
            return false;
        };
        let rest = &pattern["mcp__".len()..];
        let server_part = rest.split_once("__").map_or(rest, |(server, _)| server);
        wildcard(server_part, server) || (server_part.ends_with('*') && !rest.contains("__"))
    }
}

/// Whether `pattern`, where `*` matches any run of characters, matches all of `text`.
fn wildcard(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Tool(tool) => write!(f, "{tool}"),
            Rule::BashPrefix(prefix) => write!(f, "Bash({prefix}:*)"),
            Rule::BashExact(exact) => write!(f, "Bash({exact})"),
            Rule::Mcp(pattern) => write!(f, "{pattern}"),
            Rule::FetchDomain(host) => write!(f, "WebFetch(domain:{host})"),
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
        self.deny.iter().any(|rule| rule.names_tool(tool))
    }

    /// Whether an allow rule names the tool whole (`WebFetch`, `mcp__github__*`); deny rules
    /// are not consulted here.
    pub fn tool_allowed(&self, tool: &str) -> bool {
        self.allow.iter().any(|rule| rule.names_tool(tool))
    }

    /// Whether some allow rule could name a tool of the MCP server `server`: a server no rule
    /// can reach is never started.
    pub fn may_allow_server(&self, server: &str) -> bool {
        self.allow.iter().any(|rule| rule.may_name_server(server))
    }

    /// Whether an allow rule names `host` (or a domain above it) for WebFetch.
    pub fn fetch_domain_allowed(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.allow.iter().any(|rule| match rule {
            Rule::FetchDomain(domain) => {
                host == *domain
                    || host
                        .strip_suffix(domain.as_str())
                        .is_some_and(|above| above.ends_with('.'))
            }
            _ => false,
        })
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
        assert_eq!(
            Rule::parse("mcp__github__*"),
            Ok(Rule::Mcp("mcp__github__*".into()))
        );
        assert_eq!(
            Rule::parse("WebFetch(domain:127.0.0.1)"),
            Ok(Rule::FetchDomain("127.0.0.1".into()))
        );
        assert_eq!(Rule::parse("WebSearch"), Ok(Rule::Tool("WebSearch".into())));
        for bad in [
            "Bsh(ls)",
            "Bash(ls",
            "Read(src/**)",
            "Bash( :*)",
            "Shell",
            "mcp__",
            "WebFetch(example.com)",
            "WebFetch(domain:)",
        ] {
            assert!(Rule::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Rule::BashPrefix("git".into()).to_string(), "Bash(git:*)");
    }

    #[test]
    fn mcp_rules_name_tools_and_servers() {
        let rules = Rules::parse(
            &["mcp__github__*", "mcp__fs", "mcp__db__query"],
            &["mcp__github__delete_*"],
        )
        .unwrap();
        assert!(rules.tool_allowed("mcp__github__create_issue"));
        assert!(rules.tool_denied("mcp__github__delete_repo"));
        assert!(!rules.tool_denied("mcp__github__create_issue"));
        assert!(rules.tool_allowed("mcp__fs__read_file"));
        assert!(!rules.tool_allowed("mcp__fsx__read_file"));
        assert!(rules.tool_allowed("mcp__db__query"));
        assert!(!rules.tool_allowed("mcp__db__drop"));
        for server in ["github", "fs", "db"] {
            assert!(rules.may_allow_server(server), "{server}");
        }
        assert!(!rules.may_allow_server("gitlab"));
        let any = Rules::parse(&["mcp__*"], &[]).unwrap();
        assert!(any.may_allow_server("anything") && any.tool_allowed("mcp__a__b"));
        assert!(!Rules::default().tool_allowed("mcp__github__create_issue"));
    }

    #[test]
    fn fetch_domains_cover_subdomains_only() {
        let rules = Rules::parse(&["WebFetch(domain:example.com)"], &[]).unwrap();
        assert!(rules.fetch_domain_allowed("example.com"));
        assert!(rules.fetch_domain_allowed("docs.Example.com"));
        assert!(!rules.fetch_domain_allowed("badexample.com"));
        assert!(!rules.fetch_domain_allowed("example.com.evil"));
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
