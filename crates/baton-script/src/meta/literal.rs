//! Reading `meta`'s initializer as a pure literal: refuses anything that would need code to
//! run, and turns the rest into a tree that keeps each value's position (for the schema checks
//! in `meta.rs`) and converts to JSON.

use oxc_ast::ast::{
    ArrayExpression, ArrayExpressionElement, Expression, ObjectExpression, ObjectPropertyKind,
    PropertyKey, PropertyKind, TemplateLiteral, UnaryOperator,
};
use oxc_span::GetSpan;
use serde_json::{Map, Value};

/// A literal value and the byte offset where it starts.
pub(crate) struct Node {
    pub offset: u32,
    pub kind: Kind,
}

pub(crate) enum Kind {
    Scalar(Value),
    Array(Vec<Node>),
    /// `complete` is false when a property was refused: its key is unknown, so a "missing key"
    /// error about this object could be wrong and is not given.
    Object {
        props: Vec<Prop>,
        complete: bool,
    },
    /// Refused; the refusal is already reported.
    Refused,
}

pub(crate) struct Prop {
    pub key: String,
    pub offset: u32,
    pub value: Node,
}

impl Node {
    /// The literal as JSON. Refused parts become `null` (the caller only uses the JSON when
    /// nothing was refused). A repeated key keeps its first position and its last value, as in
    /// JavaScript (serde_json's `preserve_order` map does exactly that on `insert`).
    pub fn to_json(&self) -> Value {
        match &self.kind {
            Kind::Scalar(v) => v.clone(),
            Kind::Array(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            Kind::Object { props, .. } => {
                let mut map = Map::new();
                for p in props {
                    map.insert(p.key.clone(), p.value.to_json());
                }
                Value::Object(map)
            }
            Kind::Refused => Value::Null,
        }
    }
}

/// Reads one initializer, collecting every refusal as `(byte offset, message)`.
#[derive(Default)]
pub(crate) struct Reader {
    pub refusals: Vec<(u32, String)>,
}

impl Reader {
    fn refuse(&mut self, offset: u32, what: impl AsRef<str>) -> Kind {
        self.refusals.push((
            offset,
            format!(
                "`meta` must be a pure literal, but this is {}",
                what.as_ref()
            ),
        ));
        Kind::Refused
    }

    pub fn read(&mut self, expr: &Expression) -> Node {
        let offset = expr.span().start;
        let kind = match expr {
            Expression::NullLiteral(_) => Kind::Scalar(Value::Null),
            Expression::BooleanLiteral(b) => Kind::Scalar(Value::Bool(b.value)),
            Expression::StringLiteral(s) => {
                Kind::Scalar(Value::String(decode(&s.value, s.lone_surrogates)))
            }
            Expression::NumericLiteral(n) => self.number(offset, n.value, n.raw.as_deref()),
            Expression::TemplateLiteral(t) => self.template(t),
            // `-1` is a number written with a sign, not a computation worth refusing.
            Expression::UnaryExpression(u) => match (&u.operator, &u.argument) {
                (UnaryOperator::UnaryNegation, Expression::NumericLiteral(n)) => {
                    let raw = n.raw.as_deref().map(|r| format!("-{r}"));
                    self.number(offset, -n.value, raw.as_deref())
                }
                (op, _) => self.refuse(offset, format!("a unary `{}` expression", op.as_str())),
            },
            // Parentheses change nothing about a literal.
            Expression::ParenthesizedExpression(p) => return self.read(&p.expression),
            Expression::ArrayExpression(a) => self.array(a),
            Expression::ObjectExpression(o) => self.object(o),
            // Reported once, by the import check, which looks at the whole file.
            Expression::ImportExpression(_) | Expression::ImportMeta(_) => Kind::Refused,
            other => {
                let what = describe(other);
                self.refuse(offset, what)
            }
        };
        Node { offset, kind }
    }

    fn number(&mut self, offset: u32, value: f64, raw: Option<&str>) -> Kind {
        // Integers that fit an i64 stay integers in the JSON (`1.0` is the integer 1, as in JS).
        if value.fract() == 0.0 && value >= i64::MIN as f64 && value < i64::MAX as f64 {
            return Kind::Scalar(Value::from(value as i64));
        }
        match serde_json::Number::from_f64(value) {
            Some(n) => Kind::Scalar(Value::Number(n)),
            // Only an overflowing literal such as `1e999` (JS `Infinity`) gets here.
            None => {
                let shown = raw.map_or_else(|| value.to_string(), str::to_string);
                self.refuse(offset, format!("a number too large for JSON (`{shown}`)"))
            }
        }
    }

    fn template(&mut self, t: &TemplateLiteral) -> Kind {
        if !t.expressions.is_empty() {
            return self.refuse(t.span.start, "a template literal with `${}` substitutions");
        }
        let Some(quasi) = t.quasis.first() else {
            return Kind::Scalar(Value::String(String::new()));
        };
        // `cooked` is only missing for invalid escapes, which untagged templates reject as a
        // syntax error already; fall back to the raw text rather than lose the value.
        let text = quasi.value.cooked.as_deref().unwrap_or(&quasi.value.raw);
        Kind::Scalar(Value::String(decode(text, quasi.lone_surrogates)))
    }

    fn array(&mut self, a: &ArrayExpression) -> Kind {
        let mut items = Vec::with_capacity(a.elements.len());
        for element in &a.elements {
            let node = match element {
                ArrayExpressionElement::SpreadElement(s) => Node {
                    offset: s.span.start,
                    kind: self.refuse(s.span.start, "a spread (`...`)"),
                },
                ArrayExpressionElement::Elision(e) => Node {
                    offset: e.span.start,
                    kind: self.refuse(e.span.start, "an array hole (`[a, , b]`)"),
                },
                other => match other.as_expression() {
                    Some(expr) => self.read(expr),
                    None => Node {
                        offset: other.span().start,
                        kind: self.refuse(other.span().start, "an unknown array element"),
                    },
                },
            };
            items.push(node);
        }
        Kind::Array(items)
    }

    fn object(&mut self, o: &ObjectExpression) -> Kind {
        let mut props = Vec::with_capacity(o.properties.len());
        let mut complete = true;
        for property in &o.properties {
            let p = match property {
                ObjectPropertyKind::SpreadProperty(s) => {
                    self.refuse(s.span.start, "a spread (`...`)");
                    complete = false;
                    continue;
                }
                ObjectPropertyKind::ObjectProperty(p) => p,
            };
            // One refusal per property: its value is not read when its shape is refused.
            let shape = match p.kind {
                PropertyKind::Get => Some("a getter".to_string()),
                PropertyKind::Set => Some("a setter".to_string()),
                PropertyKind::Init if p.method => Some("a method".to_string()),
                PropertyKind::Init if p.computed => Some("a computed key (`[...]`)".to_string()),
                PropertyKind::Init if p.shorthand => Some(format!(
                    "a shorthand property (`{{ {} }}`)",
                    key_text(&p.key).unwrap_or_default()
                )),
                PropertyKind::Init => None,
            };
            if let Some(what) = shape {
                self.refuse(p.span.start, what);
                complete = false;
                continue;
            }
            let Some(key) = key_text(&p.key) else {
                self.refuse(
                    p.key.span().start,
                    "a key that is not a name, string or number",
                );
                complete = false;
                continue;
            };
            let value = self.read(&p.value);
            props.push(Prop {
                key,
                offset: p.key.span().start,
                value,
            });
        }
        Kind::Object { props, complete }
    }
}

/// The property name a non-computed key stands for, as JavaScript computes it.
fn key_text(key: &PropertyKey) -> Option<String> {
    match key {
        PropertyKey::StaticIdentifier(id) => Some(id.name.as_str().to_string()),
        PropertyKey::StringLiteral(s) => Some(decode(&s.value, s.lone_surrogates)),
        PropertyKey::NumericLiteral(n) => Some(js_number_to_string(n.value)),
        _ => None,
    }
}

/// What a refused expression is, for the message.
fn describe(expr: &Expression) -> String {
    let s = match expr {
        Expression::Identifier(id) if id.name.as_str() == "undefined" => {
            "the identifier `undefined` (use `null`, or leave the key out)"
        }
        Expression::Identifier(id) => return format!("the identifier `{}`", id.name.as_str()),
        Expression::CallExpression(_) => "a function call",
        Expression::NewExpression(_) => "a `new` expression",
        Expression::FunctionExpression(_) => "a function",
        Expression::ArrowFunctionExpression(_) => "an arrow function",
        Expression::RegExpLiteral(_) => "a regular expression literal",
        Expression::BigIntLiteral(_) => "a BigInt literal",
        Expression::BinaryExpression(b) => {
            return format!("a binary expression (`{}`)", b.operator.as_str())
        }
        Expression::LogicalExpression(l) => {
            return format!("a logical expression (`{}`)", l.operator.as_str())
        }
        Expression::ConditionalExpression(_) => "a conditional expression (`? :`)",
        Expression::AssignmentExpression(_) => "an assignment",
        Expression::SequenceExpression(_) => "a sequence expression (`a, b`)",
        Expression::TaggedTemplateExpression(_) => "a tagged template",
        Expression::ClassExpression(_) => "a class",
        Expression::AwaitExpression(_) => "an `await` expression",
        Expression::YieldExpression(_) => "a `yield` expression",
        Expression::UpdateExpression(_) => "an update expression (`++`/`--`)",
        Expression::ThisExpression(_) => "`this`",
        Expression::ChainExpression(_) => "an optional chain (`?.`)",
        e if e.is_member_expression() => "a member expression",
        _ => "an expression that is not a literal",
    };
    s.to_string()
}

/// Undoes oxc's encoding of strings that hold lone surrogates (`\u{FFFD}XXXX`, with `XXXX` the
/// code unit in hex, and `\u{FFFD}fffd` for U+FFFD itself). A Rust string cannot hold a lone
/// surrogate, so it becomes U+FFFD, as `JSON`-encoding tools commonly do.
fn decode(value: &str, lone_surrogates: bool) -> String {
    if !lone_surrogates {
        return value.to_string();
    }
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '\u{FFFD}' {
            // Skip the four hex digits that follow the escape character.
            for _ in 0..4 {
                chars.next();
            }
        }
    }
    out
}

/// JavaScript's Number::toString for the numbers a key can be (non-negative literals).
fn js_number_to_string(v: f64) -> String {
    if v.is_infinite() {
        return "Infinity".to_string();
    }
    if v == 0.0 {
        return "0".to_string();
    }
    let abs = v.abs();
    if (1e-6..1e21).contains(&abs) {
        // Rust's shortest round-trip form, never in exponent notation: the same digits as JS.
        return v.to_string();
    }
    // JS writes `1e+21` where Rust writes `1e21`.
    let s = format!("{v:e}");
    match s.split_once('e') {
        Some((mantissa, exp)) if !exp.starts_with('-') => format!("{mantissa}e+{exp}"),
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_convert_like_javascript_keys() {
        assert_eq!(js_number_to_string(1.0), "1");
        assert_eq!(js_number_to_string(16.0), "16");
        assert_eq!(js_number_to_string(1.5), "1.5");
        assert_eq!(js_number_to_string(0.1), "0.1");
        assert_eq!(js_number_to_string(1e21), "1e+21");
        assert_eq!(js_number_to_string(1.5e-7), "1.5e-7");
        assert_eq!(js_number_to_string(f64::INFINITY), "Infinity");
    }

    #[test]
    fn lone_surrogate_escapes_become_replacement_chars() {
        assert_eq!(decode("a\u{FFFD}d800b", true), "a\u{FFFD}b");
        assert_eq!(decode("\u{FFFD}fffd", true), "\u{FFFD}");
        assert_eq!(decode("\u{FFFD}d800", false), "\u{FFFD}d800");
    }
}
