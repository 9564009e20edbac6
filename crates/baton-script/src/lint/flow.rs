//! Where results go: an `agent()` (or `parallel`, `pipeline`, `workflow`) promise nobody
//! awaits, and a body that never returns its result.

use oxc_ast::ast::{BindingPattern, Expression};
use oxc_ast::AstKind;
use oxc_semantic::Semantic;

use super::agent_calls::is_global_call;
use super::Collector;

/// The globals that return a promise of work the script usually wants the result of.
const PROMISING: [&str; 4] = ["agent", "parallel", "pipeline", "workflow"];

pub(super) fn check(semantic: &Semantic, out: &mut Collector) {
    let mut returns_at_top = false;
    for node in semantic.nodes().iter() {
        match node.kind() {
            AstKind::ExpressionStatement(statement) => {
                if let Some(name) = promising_call(semantic, &statement.expression) {
                    out.warning(
                        statement.span.start,
                        format!("the promise of this `{name}()` call is never awaited: its result is lost and the run may end before it finishes (write `await {name}(…)`, or return it)"),
                    );
                }
            }
            AstKind::VariableDeclarator(declarator) => {
                let (BindingPattern::BindingIdentifier(id), Some(init)) =
                    (&declarator.id, &declarator.init)
                else {
                    continue;
                };
                let Some(name) = promising_call(semantic, init) else {
                    continue;
                };
                if semantic.scoping().symbol_is_unused(id.symbol_id()) {
                    out.warning(
                        declarator.span.start,
                        format!("`{}` holds the promise of a `{name}()` call but is never used, so nothing awaits it (write `await {name}(…)`)", id.name),
                    );
                }
            }
            AstKind::ReturnStatement(_) => {
                let in_function = semantic.nodes().ancestor_kinds(node.id()).any(|kind| {
                    matches!(
                        kind,
                        AstKind::Function(_) | AstKind::ArrowFunctionExpression(_)
                    )
                });
                returns_at_top |= !in_function;
            }
            _ => {}
        }
    }
    if !returns_at_top {
        let end = u32::try_from(out.source.trim_end().len()).unwrap_or(u32::MAX);
        out.warning(
            end,
            "the script never returns, so the run's result is null: end the body with `return <result>`",
        );
    }
}

/// The global's name when `expression` is a call of one of [`PROMISING`].
fn promising_call(semantic: &Semantic, expression: &Expression) -> Option<&'static str> {
    let Expression::CallExpression(call) = expression.without_parentheses() else {
        return None;
    };
    PROMISING
        .into_iter()
        .find(|name| is_global_call(semantic, call, name))
}
