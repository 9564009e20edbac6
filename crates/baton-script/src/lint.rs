//! `baton check`'s lints: what a run of the script would hit, found without running it —
//! names that are not defined, `agent()` options that do not exist, promises left unawaited,
//! a body that returns nothing — and the literal `model`, `agentType` and `schema` values of
//! `agent()` calls, for the caller to resolve against its configuration (this crate knows no
//! models and no schema validator).

mod agent_calls;
mod flow;
mod names;
mod suggest;
#[cfg(test)]
mod tests;

use oxc_allocator::Allocator;
use oxc_parser::{ParseOptions, Parser};
use oxc_semantic::SemanticBuilder;
use oxc_span::SourceType;
use serde_json::Value;

use crate::diagnostic::{Diagnostic, Severity};

pub use agent_calls::AGENT_OPTIONS;
pub use names::KNOWN_GLOBALS;
pub use suggest::closest;

/// A literal value written in the script, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct Found<T> {
    pub value: T,
    /// 1-based line and column (chars), like [`Diagnostic`]'s.
    pub line: u32,
    pub column: u32,
}

/// What the lints found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lint {
    /// Errors (the run would fail) and warnings (likely mistakes), by position.
    pub diagnostics: Vec<Diagnostic>,
    /// Literal `model:` values of `agent()` options.
    pub models: Vec<Found<String>>,
    /// Literal `agentType:` values of `agent()` options.
    pub agent_types: Vec<Found<String>>,
    /// Literal `schema:` values of `agent()` options (pure literals only).
    pub schemas: Vec<Found<Value>>,
    /// Literal `tools:` lists of `agent()` options, with the call's literal label; at the list.
    pub tools: Vec<Found<AskedTools>>,
}

/// An `agent()` call's literal `tools` list, and its `label` when that is a literal too.
#[derive(Debug, Clone, PartialEq)]
pub struct AskedTools {
    pub label: Option<String>,
    pub tools: Vec<String>,
}

impl Lint {
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

/// Lints `source`. A script that does not parse gets no lints: the parse errors are the static
/// check's to report (`Script::from_source`).
pub fn lint(source: &str) -> Lint {
    let allocator = Allocator::default();
    let options = ParseOptions {
        allow_return_outside_function: true,
        ..ParseOptions::default()
    };
    let parsed = Parser::new(&allocator, source, SourceType::mjs())
        .with_options(options)
        .parse();
    if parsed.panicked || !parsed.diagnostics.is_empty() {
        return Lint::default();
    }
    let semantic = SemanticBuilder::new()
        .with_build_nodes(true)
        .build(&parsed.program)
        .semantic;
    let mut found = Collector {
        source,
        lint: Lint::default(),
    };
    names::check(&semantic, &mut found);
    agent_calls::check(&semantic, &mut found);
    flow::check(&semantic, &mut found);
    found.lint.diagnostics.sort_by_key(|d| (d.line, d.column));
    found.lint
}

/// Where the lints put what they find; turns byte offsets into positions.
pub(crate) struct Collector<'s> {
    source: &'s str,
    lint: Lint,
}

impl Collector<'_> {
    fn error(&mut self, offset: u32, message: impl Into<String>) {
        self.push(Severity::Error, offset, message);
    }

    fn warning(&mut self, offset: u32, message: impl Into<String>) {
        self.push(Severity::Warning, offset, message);
    }

    fn push(&mut self, severity: Severity, offset: u32, message: impl Into<String>) {
        let d = Diagnostic::at_offset(severity, message, self.source, offset as usize);
        self.lint.diagnostics.push(d);
    }

    fn found<T>(&self, offset: u32, value: T) -> Found<T> {
        let at = Diagnostic::at_offset(Severity::Warning, "", self.source, offset as usize);
        Found {
            value,
            line: at.line,
            column: at.column,
        }
    }
}
