//! `text_answer`: the plain-text reply of a simulated agent that has no schema.

use crate::rng::SimRng;

/// How the first sentence opens; few, so that answers repeat across seeds.
const OPENINGS: [&str; 3] = ["Looked into", "Worked on", "Finished"];
/// An optional second sentence; few for the same reason.
const CLOSINGS: [&str; 2] = ["No further issues found.", "Nothing else to report."];
/// Words and characters of the prompt quoted back, so a dry run's answers say what they answer.
const TOPIC_WORDS: usize = 8;
const TOPIC_CHARS: usize = 60;

/// A one- or two-sentence answer that quotes the start of the prompt.
///
/// The vocabulary is deliberately tiny (six answers per prompt): scripts that loop until an
/// agent says nothing new, or that dedupe answers, must converge under the sim.
pub fn text_answer(prompt: &str, rng: &mut SimRng) -> String {
    let opening = OPENINGS[rng.index(OPENINGS.len())];
    let topic = topic(prompt);
    let mut answer = if topic.is_empty() {
        format!("{opening} the task.")
    } else {
        format!("{opening} \"{topic}\".")
    };
    if rng.coin() {
        answer.push(' ');
        answer.push_str(CLOSINGS[rng.index(CLOSINGS.len())]);
    }
    answer
}

/// The first words of the prompt's first non-blank line, shortened to a quotable size.
fn topic(prompt: &str) -> String {
    let line = prompt.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let words: Vec<&str> = line.split_whitespace().take(TOPIC_WORDS).collect();
    let joined = words.join(" ");
    let trimmed = joined.trim_end_matches(|c: char| c.is_ascii_punctuation() || c.is_control());
    let cleaned: String = trimmed
        .chars()
        .map(|c| if c == '"' || c.is_control() { '\'' } else { c })
        .collect();
    if cleaned.chars().count() > TOPIC_CHARS {
        let short: String = cleaned.chars().take(TOPIC_CHARS).collect();
        format!("{}…", short.trim_end())
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn deterministic_and_short() {
        for seed in 0..50u64 {
            let a = text_answer("Review src/main.rs", &mut SimRng::from_u64(seed));
            let b = text_answer("Review src/main.rs", &mut SimRng::from_u64(seed));
            assert_eq!(a, b);
            assert!(a.contains("\"Review src/main.rs\""), "{a}");
            let sentences = a.matches(". ").count() + 1;
            assert!(sentences <= 2, "{a}");
            assert!(a.ends_with('.'), "{a}");
        }
    }

    #[test]
    fn few_distinct_answers_across_seeds() {
        let answers: BTreeSet<String> = (0..200u64)
            .map(|seed| text_answer("Find bugs", &mut SimRng::from_u64(seed)))
            .collect();
        assert!(answers.len() <= 9, "{answers:?}");
        assert!(answers.len() >= 2, "{answers:?}");
    }

    #[test]
    fn odd_prompts() {
        let mut rng = SimRng::from_u64(1);
        assert!(text_answer("", &mut rng).contains("the task"));
        assert!(text_answer("\n\n  \n", &mut rng).contains("the task"));
        let long = "word ".repeat(300_000);
        let a = text_answer(&long, &mut rng);
        assert!(a.chars().count() < 120, "{a}");
        let unicode = "日本語 ".repeat(40);
        let a = text_answer(&unicode, &mut rng);
        assert!(a.contains('…') || a.chars().count() < 120, "{a}");
        let quoted = text_answer("Say \"hi\"\nthen stop", &mut rng);
        assert!(quoted.contains("'hi"), "{quoted}");
        assert!(!quoted.contains("then stop"), "{quoted}");
    }
}
