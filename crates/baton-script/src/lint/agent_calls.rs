//! The options object of each `agent(prompt, { … })` call: keys that do not exist (with a
//! did-you-mean), and the literal `model`, `agentType` and `schema` values the caller checks.

use oxc_ast::ast::{CallExpression, Expression, ObjectPropertyKind};
use oxc_ast::AstKind;
use oxc_semantic::Semantic;
use oxc_span::GetSpan;

use super::suggest::closest;
use super::{AskedTools, Collector, Found};
use crate::meta::literal::Reader;

/// The options `agent()` reads (contract §3's table); any other key is ignored by the run.
pub const AGENT_OPTIONS: [&str; 12] = [
    "label",
    "phase",
    "schema",
    "model",
    "effort",
    "isolation",
    "agentType",
    "tools",
    "cwd",
    "timeoutMs",
    "retries",
    "maxTurns",
];

pub(super) fn check(semantic: &Semantic, out: &mut Collector) {
    for node in semantic.nodes().iter() {
        if let AstKind::CallExpression(call) = node.kind() {
            if is_global_call(semantic, call, "agent") {
                if let Some(options) = call.arguments.get(1).and_then(|a| a.as_expression()) {
                    options_object(options.without_parentheses(), out);
                }
            }
        }
    }
}

/// Whether `call` calls the global `name` (not a local function of the same name).
pub(super) fn is_global_call(semantic: &Semantic, call: &CallExpression, name: &str) -> bool {
    let Expression::Identifier(callee) = call.callee.without_parentheses() else {
        return false;
    };
    callee.name.as_str() == name
        && semantic
            .scoping()
            .get_reference(callee.reference_id())
            .symbol_id()
            .is_none()
}

fn options_object(options: &Expression, out: &mut Collector) {
    let Expression::ObjectExpression(object) = options else {
        return;
    };
    let mut label = None;
    let mut tools = None;
    for property in &object.properties {
        // A spread brings keys nobody can see here.
        let ObjectPropertyKind::ObjectProperty(property) = property else {
            continue;
        };
        let Some(key) = property.key.static_name() else {
            continue;
        };
        let at = property.key.span().start;
        let value = property.value.without_parentheses();
        match key.as_ref() {
            "model" => {
                if let Some(text) = string_literal(value) {
                    let found = out.found(value.span().start, text);
                    out.lint.models.push(found);
                }
            }
            "agentType" => {
                if let Some(text) = string_literal(value) {
                    let found = out.found(value.span().start, text);
                    out.lint.agent_types.push(found);
                }
            }
            "schema" => {
                let mut reader = Reader::default();
                let node = reader.read(value);
                // Only a pure literal can be checked before the run; the rest is checked when
                // the call happens.
                if reader.refusals.is_empty() {
                    let found = out.found(value.span().start, node.to_json());
                    out.lint.schemas.push(found);
                }
            }
            // A label built at run time is shown as written.
            "label" => {
                label = string_literal(value).or_else(|| {
                    let span = value.span();
                    out.source
                        .get(span.start as usize..span.end as usize)
                        .map(str::to_string)
                })
            }
            "tools" => {
                if let Some(names) = string_list(value) {
                    tools = Some(out.found(value.span().start, names));
                }
            }
            known if AGENT_OPTIONS.contains(&known) => {}
            unknown => {
                let hint = closest(unknown, &AGENT_OPTIONS)
                    .map(|k| format!("did you mean `{k}`? "))
                    .unwrap_or_default();
                out.warning(
                    at,
                    format!(
                        "unknown agent() option `{unknown}` is ignored: {hint}(options: {})",
                        AGENT_OPTIONS.join(", ")
                    ),
                );
            }
        }
    }
    if let Some(found) = tools {
        out.lint.tools.push(Found {
            value: AskedTools {
                label,
                tools: found.value,
            },
            line: found.line,
            column: found.column,
        });
    }
}

/// An array of string literals, or `None` when any element is something else.
fn string_list(value: &Expression) -> Option<Vec<String>> {
    let Expression::ArrayExpression(array) = value else {
        return None;
    };
    array
        .elements
        .iter()
        .map(|element| element.as_expression().and_then(string_literal))
        .collect()
}

fn string_literal(value: &Expression) -> Option<String> {
    match value {
        Expression::StringLiteral(s) => Some(s.value.to_string()),
        Expression::TemplateLiteral(t) if t.expressions.is_empty() => t
            .quasis
            .first()
            .and_then(|q| q.value.cooked.as_ref())
            .map(|c| c.to_string()),
        _ => None,
    }
}
