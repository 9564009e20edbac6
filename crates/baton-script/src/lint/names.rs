//! Names the script uses but nothing defines: not one of baton's globals, not an ECMAScript
//! built-in, not declared in the script. Each would throw a `ReferenceError` when reached.

use oxc_ast::ast::UnaryOperator;
use oxc_ast::AstKind;
use oxc_semantic::Semantic;
use oxc_span::GetSpan;

use super::suggest::closest;
use super::Collector;

/// baton's globals (contract §3), the body's parameters, and the standard built-ins the
/// runtime has (a test of the binary checks each of these exists in a real run; `Intl` does
/// not, whatever the contract says, so a script naming it is told before it runs).
pub const KNOWN_GLOBALS: &[&str] = &[
    // baton's own
    "args",
    "agent",
    "parallel",
    "pipeline",
    "phase",
    "log",
    "budget",
    "workflow",
    "console",
    "setTimeout",
    "clearTimeout",
    "globalThis",
    // values and functions of the global object
    "undefined",
    "NaN",
    "Infinity",
    "eval",
    "isFinite",
    "isNaN",
    "parseFloat",
    "parseInt",
    "decodeURI",
    "decodeURIComponent",
    "encodeURI",
    "encodeURIComponent",
    "escape",
    "unescape",
    // constructors and namespaces
    "Object",
    "Function",
    "Array",
    "String",
    "Number",
    "Boolean",
    "Symbol",
    "BigInt",
    "Date",
    "RegExp",
    "Map",
    "Set",
    "WeakMap",
    "WeakSet",
    "Promise",
    "Proxy",
    "Reflect",
    "JSON",
    "Math",
    "Intl",
    "ArrayBuffer",
    "DataView",
    "Int8Array",
    "Uint8Array",
    "Uint8ClampedArray",
    "Int16Array",
    "Uint16Array",
    "Int32Array",
    "Uint32Array",
    "Float32Array",
    "Float64Array",
    "BigInt64Array",
    "BigUint64Array",
    "Error",
    "EvalError",
    "RangeError",
    "ReferenceError",
    "SyntaxError",
    "TypeError",
    "URIError",
    "AggregateError",
];

/// Names that users reach for from Node or the browser, with what to do instead.
const ELSEWHERE: &[(&str, &str)] = &[
    (
        "require",
        "workflow scripts cannot import modules; everything they can use is a global",
    ),
    (
        "fetch",
        "scripts have no network access; ask an agent to fetch instead",
    ),
    (
        "process",
        "scripts have no process or environment; pass values in `args`",
    ),
    ("setInterval", "use `setTimeout` in a loop"),
    (
        "module",
        "workflow scripts are not modules: `return` the result instead",
    ),
    (
        "exports",
        "workflow scripts are not modules: `return` the result instead",
    ),
];

pub(super) fn check(semantic: &Semantic, out: &mut Collector) {
    let scoping = semantic.scoping();
    let nodes = semantic.nodes();
    for (name, references) in scoping.root_unresolved_references().iter() {
        let name = name.as_str();
        if KNOWN_GLOBALS.contains(&name) {
            continue;
        }
        for &id in references.iter() {
            let reference = scoping.get_reference(id);
            // `typeof require` is how a script tests for a name; it never throws.
            let tested = matches!(
                nodes.parent_kind(reference.node_id()),
                AstKind::UnaryExpression(u) if u.operator == UnaryOperator::Typeof
            );
            if tested {
                continue;
            }
            let offset = semantic.reference_span(reference).start;
            out.error(offset, undefined_message(name));
        }
    }
    meta_in_body(semantic, out);
}

fn undefined_message(name: &str) -> String {
    if let Some((_, instead)) = ELSEWHERE.iter().find(|(n, _)| *n == name) {
        return format!("`{name}` is not defined in a workflow script: {instead}");
    }
    let hint = closest(name, KNOWN_GLOBALS)
        .map(|known| format!(" (did you mean `{known}`?)"))
        .unwrap_or_default();
    format!("`{name}` is not defined: it is not a baton global, a built-in or declared in this script{hint}")
}

/// `meta` is read statically and not visible in the body (contract §2), though the parser sees
/// the `export const meta` declaration in scope.
fn meta_in_body(semantic: &Semantic, out: &mut Collector) {
    let scoping = semantic.scoping();
    for node in semantic.nodes().iter() {
        let AstKind::IdentifierReference(id) = node.kind() else {
            continue;
        };
        if id.name.as_str() != "meta" {
            continue;
        }
        let symbol = scoping.get_reference(id.reference_id()).symbol_id();
        if symbol.is_some_and(|s| scoping.symbol_scope_id(s) == scoping.root_scope_id()) {
            out.error(
                id.span().start,
                "`meta` is not visible in the body of a workflow script (it is read before the script runs)",
            );
        }
    }
}
