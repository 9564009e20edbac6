//! Strings that match a `pattern`: a generator for the common subset of ECMA-262 regexes.
//!
//! Supported: literals, `.`, classes (`[a-z0-9_]`, `[^...]`, `\d \w \s` and their negations),
//! groups (`(...)`, `(?:...)`, `(?<name>...)`), alternation, the quantifiers `* + ? {n} {n,}
//! {n,m}` (lazy forms too), anchors `^ $` and `\b`, `\uXXXX`/`\xXX` escapes, and `\p{L}`, `\p{Lu}`,
//! `\p{Ll}`, `\p{N}`, `\p{Nd}` (read as their ASCII parts). Lookarounds, back-references and
//! inline flags make `generate` return `None`.
//!
//! The output is a candidate only: the caller checks it with the validator's own regex engine,
//! since assertions such as `\b` or an anchor in the middle are not enforced here.

use crate::rng::SimRng;

/// Extra repetitions beyond a quantifier's minimum, at most; keeps `.*` and `\w+` short.
const MAX_EXTRA_REPEATS: u32 = 2;
/// Longest string generated; a `{100000}` quantifier is not worth honouring.
const MAX_LEN: usize = 4096;
/// Characters of a class that are considered; fewer choices, more repeated strings.
const CLASS_CHOICES: usize = 3;
/// Where characters for negated classes and `.` come from.
const ALPHABET: &str = "abcxyzABC019_- ";

#[derive(Debug, Clone)]
enum Node {
    Empty,
    Literal(char),
    Class {
        ranges: Vec<(char, char)>,
        negated: bool,
    },
    Seq(Vec<Node>),
    Alt(Vec<Node>),
    Repeat {
        node: Box<Node>,
        min: u32,
        max: Option<u32>,
    },
}

/// A string meant to match `pattern`, or `None` for a pattern outside the supported subset.
pub(crate) fn generate(pattern: &str, rng: &mut SimRng) -> Option<String> {
    let mut parser = Parser {
        chars: pattern.chars().collect(),
        pos: 0,
    };
    let node = parser.alternation()?;
    if parser.pos != parser.chars.len() {
        return None;
    }
    let mut out = String::new();
    emit(&node, rng, &mut out);
    Some(out)
}

fn emit(node: &Node, rng: &mut SimRng, out: &mut String) {
    if out.len() > MAX_LEN {
        return;
    }
    match node {
        Node::Empty => {}
        Node::Literal(c) => out.push(*c),
        Node::Class { ranges, negated } => {
            let choices = class_choices(ranges, *negated);
            if !choices.is_empty() {
                out.push(choices[rng.index(choices.len())]);
            }
        }
        Node::Seq(nodes) => nodes.iter().for_each(|n| emit(n, rng, out)),
        Node::Alt(branches) => emit(&branches[rng.index(branches.len())], rng, out),
        Node::Repeat { node, min, max } => {
            let extra = max.map_or(MAX_EXTRA_REPEATS, |m| (m - min).min(MAX_EXTRA_REPEATS));
            let count = min + rng.below(u64::from(extra) + 1) as u32;
            for _ in 0..count {
                if out.len() > MAX_LEN {
                    break;
                }
                emit(node, rng, out);
            }
        }
    }
}

/// The first few characters a class admits.
fn class_choices(ranges: &[(char, char)], negated: bool) -> Vec<char> {
    let inside = |c: char| ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi);
    if negated {
        return ALPHABET
            .chars()
            .filter(|&c| !inside(c))
            .take(CLASS_CHOICES)
            .collect();
    }
    let mut out = Vec::new();
    for &(lo, hi) in ranges {
        let mut c = lo;
        while c <= hi && out.len() < CLASS_CHOICES {
            out.push(c);
            match char::from_u32(c as u32 + 1) {
                Some(next) => c = next,
                None => break,
            }
        }
    }
    out
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn alternation(&mut self) -> Option<Node> {
        let mut branches = vec![self.sequence()?];
        while self.eat('|') {
            branches.push(self.sequence()?);
        }
        Some(if branches.len() == 1 {
            branches.pop()?
        } else {
            Node::Alt(branches)
        })
    }

    fn sequence(&mut self) -> Option<Node> {
        let mut nodes = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom()?;
            nodes.push(self.quantified(atom)?);
        }
        Some(Node::Seq(nodes))
    }

    fn atom(&mut self) -> Option<Node> {
        let c = self.peek()?;
        self.pos += 1;
        Some(match c {
            '^' | '$' => Node::Empty,
            '.' => Node::Class {
                ranges: vec![('\n', '\n'), ('\r', '\r')],
                negated: true,
            },
            '(' => {
                if self.eat('?') {
                    if self.eat(':') {
                    } else if self.peek() == Some('<')
                        && !matches!(self.chars.get(self.pos + 1), Some('=' | '!'))
                    {
                        // A named group: skip the name.
                        while !self.eat('>') {
                            self.peek()?;
                            self.pos += 1;
                        }
                    } else {
                        // Lookarounds and inline flags.
                        return None;
                    }
                }
                let inner = self.alternation()?;
                if !self.eat(')') {
                    return None;
                }
                inner
            }
            '[' => self.class()?,
            '\\' => self.escape(false)?.into_node(),
            '*' | '+' | '?' | ')' => return None,
            other => Node::Literal(other),
        })
    }

    fn quantified(&mut self, atom: Node) -> Option<Node> {
        let (min, max) = match self.peek() {
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('?') => (0, Some(1)),
            // `braces` consumes the quantifier itself; a brace that starts none is a literal
            // `{`, as ECMA-262 annex B reads it.
            Some('{') => match self.braces() {
                Some(bounds) => return self.repeat(atom, bounds),
                None => return Some(atom),
            },
            _ => return Some(atom),
        };
        self.pos += 1;
        self.repeat(atom, (min, max))
    }

    fn repeat(&mut self, atom: Node, (min, max): (u32, Option<u32>)) -> Option<Node> {
        // The lazy form generates the same strings.
        self.eat('?');
        if max.is_some_and(|m| m < min) {
            return None;
        }
        Some(Node::Repeat {
            node: Box::new(atom),
            min: min.min(MAX_LEN as u32),
            max: max.map(|m| m.min(MAX_LEN as u32)),
        })
    }

    /// Parses `{n}`, `{n,}` or `{n,m}` at the cursor, consuming it; `None` (cursor kept) when
    /// the brace does not start a quantifier.
    fn braces(&mut self) -> Option<(u32, Option<u32>)> {
        let start = self.pos;
        let close = self.chars[start..].iter().position(|&c| c == '}')? + start;
        let body: String = self.chars[start + 1..close].iter().collect();
        let number = |s: &str| -> Option<u32> {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            Some(s.parse::<u32>().unwrap_or(u32::MAX))
        };
        let bounds = match body.split_once(',') {
            None => {
                let n = number(&body)?;
                (n, Some(n))
            }
            Some((lo, "")) => (number(lo)?, None),
            Some((lo, hi)) => (number(lo)?, Some(number(hi)?)),
        };
        self.pos = close + 1;
        Some(bounds)
    }

    fn class(&mut self) -> Option<Node> {
        let negated = self.eat('^');
        let mut ranges = Vec::new();
        loop {
            let c = self.peek()?;
            self.pos += 1;
            let lo = match c {
                ']' => break,
                '\\' => match self.escape(true)? {
                    Escape::Char(c) => c,
                    Escape::Class(more) => {
                        ranges.extend(more);
                        continue;
                    }
                    Escape::Empty => continue,
                    Escape::Negated(_) => return None,
                },
                other => other,
            };
            if self.peek() == Some('-') && self.chars.get(self.pos + 1).is_some_and(|&n| n != ']') {
                self.pos += 1;
                let c = self.peek()?;
                self.pos += 1;
                let hi = match c {
                    '\\' => match self.escape(true)? {
                        Escape::Char(c) => c,
                        _ => return None,
                    },
                    other => other,
                };
                if hi < lo {
                    return None;
                }
                ranges.push((lo, hi));
            } else {
                ranges.push((lo, lo));
            }
        }
        Some(Node::Class { ranges, negated })
    }

    /// Reads the escape after a backslash.
    fn escape(&mut self, in_class: bool) -> Option<Escape> {
        let c = self.peek()?;
        self.pos += 1;
        let class = |ranges: &[(char, char)]| Escape::Class(ranges.to_vec());
        Some(match c {
            'd' => class(DIGITS),
            'w' => class(WORD),
            's' => class(SPACE),
            // Negated shorthands inside a class would need set subtraction; outside one they
            // are a negated class.
            'D' | 'W' | 'S' if in_class => return None,
            'D' => Escape::Negated(DIGITS),
            'W' => Escape::Negated(WORD),
            'S' => Escape::Negated(SPACE),
            'b' if in_class => Escape::Char('\u{8}'),
            'b' | 'B' => Escape::Empty,
            'n' => Escape::Char('\n'),
            't' => Escape::Char('\t'),
            'r' => Escape::Char('\r'),
            'f' => Escape::Char('\u{c}'),
            'v' => Escape::Char('\u{b}'),
            '0' => Escape::Char('\0'),
            'x' => Escape::Char(self.hex(2)?),
            'u' => {
                if self.eat('{') {
                    let close = self.chars[self.pos..].iter().position(|&c| c == '}')?;
                    let digits: String = self.chars[self.pos..self.pos + close].iter().collect();
                    self.pos += close + 1;
                    Escape::Char(char::from_u32(u32::from_str_radix(&digits, 16).ok()?)?)
                } else {
                    Escape::Char(self.hex(4)?)
                }
            }
            'p' => {
                if !self.eat('{') {
                    return None;
                }
                let close = self.chars[self.pos..].iter().position(|&c| c == '}')?;
                let name: String = self.chars[self.pos..self.pos + close].iter().collect();
                self.pos += close + 1;
                match name.as_str() {
                    "L" | "Letter" | "Alphabetic" => class(&[('a', 'z'), ('A', 'Z')]),
                    "Lu" | "Uppercase_Letter" => class(&[('A', 'Z')]),
                    "Ll" | "Lowercase_Letter" => class(&[('a', 'z')]),
                    "N" | "Nd" | "Number" | "Decimal_Number" => class(DIGITS),
                    _ => return None,
                }
            }
            // Back-references, control escapes and the like.
            '1'..='9' | 'k' | 'c' | 'P' => return None,
            other => Escape::Char(other),
        })
    }

    fn hex(&mut self, len: usize) -> Option<char> {
        let digits: String = self.chars.get(self.pos..self.pos + len)?.iter().collect();
        self.pos += len;
        char::from_u32(u32::from_str_radix(&digits, 16).ok()?)
    }
}

const DIGITS: &[(char, char)] = &[('0', '9')];
const WORD: &[(char, char)] = &[('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')];
const SPACE: &[(char, char)] = &[(' ', ' '), ('\t', '\t'), ('\n', '\n'), ('\r', '\r')];

enum Escape {
    Char(char),
    Class(Vec<(char, char)>),
    Negated(&'static [(char, char)]),
    Empty,
}

impl Escape {
    fn into_node(self) -> Node {
        match self {
            Escape::Char(c) => Node::Literal(c),
            Escape::Class(ranges) => Node::Class {
                ranges,
                negated: false,
            },
            Escape::Negated(ranges) => Node::Class {
                ranges: ranges.to_vec(),
                negated: true,
            },
            Escape::Empty => Node::Empty,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::check::Checker;
    use serde_json::json;

    /// Every pattern here must produce matching strings for many seeds.
    const SUPPORTED: &[&str] = &[
        "^[a-z]+$",
        "^[A-Z]{3}-\\d{4}$",
        "^(foo|bar)+baz?$",
        "^\\w+@\\w+\\.com$",
        "^[^0-9]{2,5}$",
        "^v\\d+\\.\\d+\\.\\d+(-[a-z0-9]+)?$",
        "^#[0-9a-fA-F]{6}$",
        "^(?:[a-z]{2}_){1,3}[A-Z]$",
        "^\\S+\\s\\S+$",
        "^(?<year>\\d{4})-(?<m>0[1-9]|1[0-2])$",
        "ab{2,}c",
        "^\\u0041\\x42[\\-_.]$",
        "^\\p{Lu}\\p{Ll}*$",
        "^.{3}$",
        "x{2,}y{0,1}",
        "^[a-z]+?\\b",
        "",
        "^\\D\\W$",
        "^[\\d\\s]+$",
        "^a|b$",
    ];

    #[test]
    fn generated_strings_match() {
        let root = json!({});
        let mut checker = Checker::new(&root);
        for pattern in SUPPORTED {
            for seed in 0..100 {
                let mut rng = SimRng::from_u64(seed);
                let s = generate(pattern, &mut rng)
                    .unwrap_or_else(|| panic!("{pattern:?} should be supported"));
                assert_eq!(
                    checker.pattern_matches(pattern, &s),
                    Some(true),
                    "{pattern:?} generated {s:?} (seed {seed})"
                );
            }
        }
    }

    #[test]
    fn unsupported_patterns_say_so() {
        let mut rng = SimRng::from_u64(1);
        for pattern in [
            "(?=a)a",
            "(a)\\1",
            "(?i)abc",
            "(",
            "a)",
            "*a",
            "[a",
            "a{3,1}",
            "\\p{Greek}",
        ] {
            assert_eq!(generate(pattern, &mut rng), None, "{pattern:?}");
        }
    }

    #[test]
    fn repeats_stay_short() {
        let mut rng = SimRng::from_u64(3);
        for _ in 0..50 {
            let s = generate("^a*b+$", &mut rng).unwrap_or_default();
            assert!(s.len() <= 5, "{s:?}");
        }
    }
}
