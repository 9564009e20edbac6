//! The static check of a workflow script (contract §2): the `export const meta = { ... }`
//! header read as a pure literal and checked against its schema, and the rules on imports and
//! exports. Nothing here runs the script.

pub(crate) mod literal;

use std::ops::Range;

use oxc_allocator::Allocator;
use oxc_ast::ast::{BindingPattern, Declaration, Program, Statement, VariableDeclaration};
use oxc_parser::{ParseOptions, Parser};
use oxc_span::{GetSpan, SourceType};
use serde_json::Value;

use crate::diagnostic::{Diagnostic, Severity};
use literal::{Kind, Node, Prop, Reader};

/// One entry of `meta.phases`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhaseMeta {
    pub title: String,
    pub detail: Option<String>,
    pub model: Option<String>,
}

/// The script's `meta`, read statically.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    pub name: String,
    pub description: String,
    pub when_to_use: Option<String>,
    pub phases: Vec<PhaseMeta>,
    /// The whole literal as JSON, unknown keys included, in source order.
    pub json: Value,
}

/// What a successful check returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    pub meta: Meta,
    /// Byte range of the whole `export const meta = …;` statement, including its semicolon
    /// when there is one (the runtime blanks it out before running the body).
    pub meta_statement: Range<usize>,
    pub warnings: Vec<Diagnostic>,
}

/// Keys of `meta` that baton reads; any other is kept in `json` and warned about.
const KNOWN_KEYS: [&str; 4] = ["name", "description", "whenToUse", "phases"];

const NO_IMPORTS: &str =
    "imports are not available in workflow scripts (`require` is not defined either)";

/// Parses the script (module goal, `allow_return_outside_function = true`) and reports EVERY
/// problem found, not just the first.
///
/// On failure the list holds the errors and the warnings, ordered by position.
pub fn analyze(source: &str) -> Result<Analysis, Vec<Diagnostic>> {
    let allocator = Allocator::default();
    // Module goal: strict mode and top-level `await`, like the runtime's async wrapper;
    // top-level `return` is the run's result.
    let options = ParseOptions {
        allow_return_outside_function: true,
        ..ParseOptions::default()
    };
    let parsed = Parser::new(&allocator, source, SourceType::mjs())
        .with_options(options)
        .parse();
    let mut check = Check {
        source,
        diagnostics: Vec::new(),
    };

    // The parser only reports errors; the primary label (else the first) holds the position.
    for error in parsed.diagnostics.iter() {
        let label = error
            .labels
            .iter()
            .find(|l| l.primary())
            .or_else(|| error.labels.first());
        let offset = label.map_or(0, |l| l.offset());
        check.error(offset, error.message.to_string());
    }
    if parsed.panicked {
        // The AST is empty after an unrecoverable error: nothing more can be said.
        return Err(check.finish());
    }

    // The parser records every `import(...)` and `import.meta` it meets, at any depth (nested
    // functions included), so its module record is a walk of the whole AST already.
    for dynamic in parsed.module_record.dynamic_imports.iter() {
        check.error(dynamic.span.start, format!("`import()`: {NO_IMPORTS}"));
    }
    for span in parsed.module_record.import_metas.iter() {
        check.error(span.start, format!("`import.meta`: {NO_IMPORTS}"));
    }

    let program = &parsed.program;
    let (meta_index, found) = check.meta(program);
    for (i, statement) in program.body.iter().enumerate() {
        match statement {
            // Import declarations are only legal at the top level, so this finds them all.
            Statement::ImportDeclaration(d) => {
                check.error(d.span.start, format!("`import` declaration: {NO_IMPORTS}"));
            }
            s if Some(i) != meta_index && s.as_module_declaration().is_some() => check.error(
                s.span().start,
                "only `meta` may be exported from a workflow script",
            ),
            _ => {}
        }
    }

    let diagnostics = check.finish();
    match found {
        Some((meta, meta_statement))
            if !diagnostics.iter().any(|d| d.severity == Severity::Error) =>
        {
            Ok(Analysis {
                meta,
                meta_statement,
                warnings: diagnostics,
            })
        }
        _ => Err(diagnostics),
    }
}

/// The `VariableDeclaration` of an `export const meta = …` (or `export let meta`, …) statement.
fn meta_export<'b, 'a>(statement: &'b Statement<'a>) -> Option<&'b VariableDeclaration<'a>> {
    let Statement::ExportDeclaration(export) = statement else {
        return None;
    };
    let Declaration::VariableDeclaration(var) = &export.declaration else {
        return None;
    };
    var.declarations
        .iter()
        .any(|d| is_meta(&d.id))
        .then_some(&**var)
}

fn is_meta(id: &BindingPattern) -> bool {
    matches!(id, BindingPattern::BindingIdentifier(id) if id.name.as_str() == "meta")
}

struct Check<'s> {
    source: &'s str,
    diagnostics: Vec<Diagnostic>,
}

impl Check<'_> {
    fn error(&mut self, offset: u32, message: impl Into<String>) {
        self.push(Severity::Error, offset, message);
    }

    fn push(&mut self, severity: Severity, offset: u32, message: impl Into<String>) {
        let d = Diagnostic::at_offset(severity, message, self.source, offset as usize);
        self.diagnostics.push(d);
    }

    fn finish(mut self) -> Vec<Diagnostic> {
        // Stable: two problems at one position keep the order they were found in.
        self.diagnostics.sort_by_key(|d| (d.line, d.column));
        self.diagnostics
    }

    /// Finds and reads the meta statement. Returns its index in the body (whether or not it is
    /// in the right place, so that it is not also reported as a stray export) and, when it could
    /// be read, the meta and the statement's byte range.
    fn meta(&mut self, program: &Program) -> (Option<usize>, Option<(Meta, Range<usize>)>) {
        let index = program.body.iter().position(|s| meta_export(s).is_some());
        // A directive such as "use strict" is a statement before meta, too.
        let first = program
            .directives
            .first()
            .map(|d| d.span.start)
            .or_else(|| program.body.first().map(|s| s.span().start));
        let meta_start = index.map(|i| program.body[i].span().start);
        if first != meta_start || index.is_none() {
            let mut message =
                "the first statement of a workflow script must be `export const meta = { ... }`"
                    .to_string();
            if let Some(start) = meta_start {
                let line = Diagnostic::at_offset(Severity::Error, "", self.source, start as usize);
                message.push_str(&format!(" (it is on line {})", line.line));
            }
            self.error(first.unwrap_or(0), message);
        }
        let Some(i) = index else {
            return (None, None);
        };
        // The meta literal is read even when misplaced, so that all its problems show at once.
        let statement = &program.body[i];
        let found = self.meta_statement(statement).map(|meta| {
            let span = statement.span();
            (meta, span.start as usize..span.end as usize)
        });
        (Some(i), found)
    }

    fn meta_statement(&mut self, statement: &Statement) -> Option<Meta> {
        let var = meta_export(statement)?;
        if !var.kind.is_const() {
            let kind = var.kind.as_str();
            self.error(
                var.span.start,
                format!("`meta` must be declared with `const`, not `{kind}`"),
            );
        }
        let mut init = None;
        for declarator in &var.declarations {
            if is_meta(&declarator.id) {
                init = declarator.init.as_ref();
                if init.is_none() {
                    self.error(
                        declarator.span.start,
                        "`meta` needs a value: `meta = { ... }`",
                    );
                }
            } else {
                self.error(
                    declarator.span.start,
                    "the `export const meta` statement must declare `meta` and nothing else",
                );
            }
        }
        let mut reader = Reader::default();
        let node = reader.read(init?);
        for (offset, message) in reader.refusals {
            self.error(offset, message);
        }
        self.meta_fields(&node)
    }

    /// Checks the literal against the schema of `meta` (contract §2).
    fn meta_fields(&mut self, node: &Node) -> Option<Meta> {
        let Kind::Object { props, complete } = &node.kind else {
            if !matches!(node.kind, Kind::Refused) {
                let found = type_name(&node.kind);
                self.error(
                    node.offset,
                    format!("`meta` must be an object literal, not {found}"),
                );
            }
            return None;
        };
        let field = Field {
            owner: "meta",
            props,
            complete: *complete,
            offset: node.offset,
        };
        let name = self.string(&field, "name", true);
        if name.as_deref() == Some("") {
            let value = last(props, "name").map_or(node.offset, |p| p.value.offset);
            self.error(value, "`meta.name` must not be empty");
        }
        let description = self.string(&field, "description", true);
        let when_to_use = self.string(&field, "whenToUse", false);
        let phases = self.phases(props);
        for p in props
            .iter()
            .filter(|p| !KNOWN_KEYS.contains(&p.key.as_str()))
        {
            let message = format!(
                "unknown key `{}` in `meta` (kept, but baton does not use it)",
                p.key
            );
            self.push(Severity::Warning, p.offset, message);
        }
        Some(Meta {
            name: name.unwrap_or_default(),
            description: description.unwrap_or_default(),
            when_to_use,
            phases,
            json: node.to_json(),
        })
    }

    fn phases(&mut self, props: &[Prop]) -> Vec<PhaseMeta> {
        let Some(prop) = last(props, "phases") else {
            return Vec::new();
        };
        let items = match &prop.value.kind {
            Kind::Array(items) => items,
            // An optional key set to null counts as absent.
            Kind::Scalar(Value::Null) | Kind::Refused => return Vec::new(),
            other => {
                let found = type_name(other);
                let message = format!(
                    "`meta.phases` must be an array of {{ title, detail?, model? }}, not {found}"
                );
                self.error(prop.value.offset, message);
                return Vec::new();
            }
        };
        let mut phases = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let owner = format!("meta.phases[{i}]");
            match &item.kind {
                Kind::Object { props, complete } => {
                    let field = Field {
                        owner: &owner,
                        props,
                        complete: *complete,
                        offset: item.offset,
                    };
                    let title = self.string(&field, "title", true);
                    let detail = self.string(&field, "detail", false);
                    let model = self.string(&field, "model", false);
                    phases.push(PhaseMeta {
                        title: title.unwrap_or_default(),
                        detail,
                        model,
                    });
                }
                Kind::Refused => {}
                other => {
                    let found = type_name(other);
                    let message = format!(
                        "`{owner}` must be an object {{ title, detail?, model? }}, not {found}"
                    );
                    self.error(item.offset, message);
                }
            }
        }
        phases
    }

    /// A string-valued key of an object. Reports a wrong type at the value, and a missing
    /// required key at the object. `None` when absent, refused or wrong.
    fn string(&mut self, field: &Field, key: &str, required: bool) -> Option<String> {
        let owner = field.owner;
        let Some(prop) = last(field.props, key) else {
            if required && field.complete {
                let message = format!("`{owner}` is missing the required key `{key}` (a string)");
                self.error(field.offset, message);
            }
            return None;
        };
        match &prop.value.kind {
            Kind::Scalar(Value::String(s)) => Some(s.clone()),
            // An optional key set to null counts as absent: lenient, since scripts written for
            // Claude Code must run unchanged and null carries no information.
            Kind::Scalar(Value::Null) if !required => None,
            Kind::Refused => None,
            other => {
                let found = type_name(other);
                let message = format!("`{owner}.{key}` must be a string, not {found}");
                self.error(prop.value.offset, message);
                None
            }
        }
    }
}

/// An object literal being checked, and how to name it in messages.
struct Field<'p> {
    owner: &'p str,
    props: &'p [Prop],
    complete: bool,
    offset: u32,
}

/// The property that wins for `key`: the last one, as in JavaScript.
fn last<'p>(props: &'p [Prop], key: &str) -> Option<&'p Prop> {
    props.iter().rev().find(|p| p.key == key)
}

fn type_name(kind: &Kind) -> &'static str {
    match kind {
        Kind::Scalar(Value::Null) => "null",
        Kind::Scalar(Value::Bool(_)) => "a boolean",
        Kind::Scalar(Value::Number(_)) => "a number",
        Kind::Scalar(Value::String(_)) => "a string",
        Kind::Array(_) | Kind::Scalar(Value::Array(_)) => "an array",
        Kind::Object { .. } | Kind::Scalar(Value::Object(_)) => "an object",
        Kind::Refused => "a refused value",
    }
}

#[cfg(test)]
mod tests;
