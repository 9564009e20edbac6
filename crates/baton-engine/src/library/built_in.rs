//! The workflows compiled into the binary: `deep-research`, written for it, and the best of
//! `examples/` under their own names. They come last in the library's precedence, so a project
//! or personal file of the same name wins, as any nearer copy does.

/// `(name, source)`, sorted by name.
pub const BUILT_IN: [(&str, &str); 6] = [
    (
        "bug-sweep",
        include_str!("../../../../examples/bug-sweep.workflow.js"),
    ),
    (
        "deep-research",
        include_str!("../../workflows/deep-research.workflow.js"),
    ),
    (
        "draft-critique-revise",
        include_str!("../../../../examples/draft-critique-revise.workflow.js"),
    ),
    (
        "implement-verify-fix",
        include_str!("../../../../examples/implement-verify-fix.workflow.js"),
    ),
    (
        "majority-vote-review",
        include_str!("../../../../examples/majority-vote-review.workflow.js"),
    ),
    (
        "research-angles-judge",
        include_str!("../../../../examples/research-angles-judge.workflow.js"),
    ),
];

/// The source of the built-in workflow `name`.
pub fn source(name: &str) -> Option<&'static str> {
    BUILT_IN
        .iter()
        .find(|(built_in, _)| *built_in == name)
        .map(|(_, source)| *source)
}
