//! `Latency`: the `--sim-latency` setting, its parsing and the per-call pick.
//!
//! Accepted forms (surrounding whitespace is ignored):
//! - a bare `0` (no unit needed for "none");
//! - a number with a unit: `250us` (or `250µs`), `150ms`, `2s`; decimals are allowed (`1.5s`,
//!   `0.25ms`) and are exact down to the nanosecond, finer digits are refused rather than rounded;
//! - a range `MIN-MAX` of two such durations, `10ms-200ms`, where `MIN <= MAX`.
//!
//! Bare non-zero numbers (`50`) are refused: seconds and milliseconds are both plausible readings,
//! and a silent factor of 1000 in a test's timing is worse than an error. Minutes and hours are
//! not accepted either; a simulated model that waits minutes is a mistake, not a setting.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use crate::rng::SimRng;

/// How long a simulated agent takes to answer: a fixed time, or a range picked per call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Latency {
    pub min: Duration,
    pub max: Duration,
}

/// Why a `--sim-latency` value was refused. Each message quotes the input as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LatencyError {
    #[error(
        "invalid sim latency '{input}': expected a duration such as 50ms or a range such as \
         10ms-200ms"
    )]
    Malformed { input: String },
    #[error("invalid sim latency '{input}': the range starts after it ends")]
    Reversed { input: String },
    #[error("invalid sim latency '{input}': the duration is too large")]
    TooLarge { input: String },
}

impl Latency {
    /// No latency: answers are immediate.
    pub const ZERO: Latency = Latency {
        min: Duration::ZERO,
        max: Duration::ZERO,
    };

    /// The latency of one call: uniform in `[min, max]` (nanosecond steps), the same for the
    /// same `seed`, so a replayed sim run has the same timings.
    pub fn pick(&self, seed: u64) -> Duration {
        if self.max <= self.min {
            return self.min;
        }
        let span = (self.max - self.min).as_nanos();
        // Spans beyond u64 nanoseconds (~584 years) are clamped; only the top end is lost.
        let span = u64::try_from(span).unwrap_or(u64::MAX).min(u64::MAX - 1);
        let offset = SimRng::from_u64(seed).below(span + 1);
        self.min + Duration::from_nanos(offset)
    }
}

impl FromStr for Latency {
    type Err = LatencyError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let text = input.trim();
        let (min, max) = match text.split_once('-') {
            Some((lo, hi)) => (parse_duration(lo, input)?, parse_duration(hi, input)?),
            None => {
                let d = parse_duration(text, input)?;
                (d, d)
            }
        };
        if min > max {
            return Err(LatencyError::Reversed {
                input: input.to_string(),
            });
        }
        Ok(Latency { min, max })
    }
}

impl fmt::Display for Latency {
    /// Prints a form that parses back to the same value (`50ms`, `10ms-200ms`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_duration(f, self.min)?;
        if self.max != self.min {
            f.write_str("-")?;
            write_duration(f, self.max)?;
        }
        Ok(())
    }
}

/// Writes `d` in the largest unit that shows it exactly.
fn write_duration(f: &mut fmt::Formatter<'_>, d: Duration) -> fmt::Result {
    let nanos = d.as_nanos();
    if nanos == 0 {
        return f.write_str("0");
    }
    for (unit, per) in [("s", 1_000_000_000u128), ("ms", 1_000_000), ("us", 1_000)] {
        let (whole, rest) = (nanos / per, nanos % per);
        if rest == 0 {
            return write!(f, "{whole}{unit}");
        }
    }
    // Nanosecond precision has no unit of its own; print it as a decimal of microseconds.
    write!(f, "{}.{:03}us", nanos / 1000, nanos % 1000)
}

/// Parses one duration (`0`, `150ms`, `1.5s`, `250us`); `input` is the whole setting, for errors.
fn parse_duration(text: &str, input: &str) -> Result<Duration, LatencyError> {
    let malformed = || LatencyError::Malformed {
        input: input.to_string(),
    };
    let text = text.trim();
    if text == "0" {
        return Ok(Duration::ZERO);
    }
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .ok_or_else(malformed)?;
    let (number, unit) = text.split_at(split);
    // Nanoseconds per unit; also the number of fraction digits the unit can carry exactly.
    let (per_unit, max_fraction_digits) = match unit {
        "s" => (1_000_000_000u128, 9),
        "ms" => (1_000_000, 6),
        "us" | "µs" => (1_000, 3),
        _ => return Err(malformed()),
    };
    let (whole, fraction) = match number.split_once('.') {
        Some((w, f)) => (w, f),
        None => (number, ""),
    };
    let digits_ok = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits_ok(whole) || !digits_ok(fraction) {
        return Err(malformed());
    }
    if number.ends_with('.') || fraction.len() > max_fraction_digits {
        return Err(malformed());
    }
    let too_large = || LatencyError::TooLarge {
        input: input.to_string(),
    };
    let whole: u128 = whole.parse().map_err(|_| too_large())?;
    let mut fraction_nanos: u128 = 0;
    let mut scale = per_unit;
    for b in fraction.bytes() {
        scale /= 10;
        fraction_nanos += u128::from(b - b'0') * scale;
    }
    let nanos = whole
        .checked_mul(per_unit)
        .and_then(|n| n.checked_add(fraction_nanos))
        .ok_or_else(too_large)?;
    let secs = u64::try_from(nanos / 1_000_000_000).map_err(|_| too_large())?;
    // The remainder is below 10^9, so it fits in u32.
    let subsec = (nanos % 1_000_000_000) as u32;
    Ok(Duration::new(secs, subsec))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn parse(s: &str) -> Latency {
        s.parse()
            .unwrap_or_else(|e| panic!("{s:?} should parse: {e}"))
    }

    #[test]
    fn single_durations() {
        assert_eq!(parse("0"), Latency::ZERO);
        assert_eq!(parse("0ms"), Latency::ZERO);
        assert_eq!(parse("150ms").min, ms(150));
        assert_eq!(parse("150ms").max, ms(150));
        assert_eq!(parse("2s").min, ms(2000));
        assert_eq!(parse("1.5s").min, ms(1500));
        assert_eq!(parse("0.25ms").min, Duration::from_micros(250));
        assert_eq!(parse("250us").min, Duration::from_micros(250));
        assert_eq!(parse("250µs").min, Duration::from_micros(250));
        assert_eq!(parse("1.000000001s").min, Duration::new(1, 1));
        assert_eq!(parse("  50ms ").min, ms(50));
    }

    #[test]
    fn ranges() {
        let l = parse("10ms-200ms");
        assert_eq!((l.min, l.max), (ms(10), ms(200)));
        let l = parse("0-1s");
        assert_eq!((l.min, l.max), (Duration::ZERO, ms(1000)));
        let l = parse("10ms - 0.2s");
        assert_eq!((l.min, l.max), (ms(10), ms(200)));
        let l = parse("5ms-5ms");
        assert_eq!((l.min, l.max), (ms(5), ms(5)));
    }

    #[test]
    fn malformed_inputs_are_refused_with_the_documented_message() {
        for bad in [
            "",
            " ",
            "50",
            "ms",
            "5 ms",
            "-5ms",
            "5ms-",
            "-",
            "1.s",
            ".5s",
            "1..5s",
            "5m",
            "5h",
            "5MS",
            "fast",
            "1e3ms",
            "5ms-10ms-20ms",
            "+5ms",
            "1.0000000001s",
            "0.0000001ms",
            "1.0001us",
        ] {
            let err = bad.parse::<Latency>().expect_err(bad);
            assert_eq!(
                err.to_string(),
                format!(
                    "invalid sim latency '{bad}': expected a duration such as 50ms or a range \
                     such as 10ms-200ms"
                ),
                "input {bad:?}"
            );
        }
    }

    #[test]
    fn reversed_and_huge_ranges_are_refused() {
        let err = "200ms-10ms".parse::<Latency>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid sim latency '200ms-10ms': the range starts after it ends"
        );
        let err = "99999999999999999999999999999999999999999s"
            .parse::<Latency>()
            .unwrap_err();
        assert!(matches!(err, LatencyError::TooLarge { .. }), "{err}");
    }

    #[test]
    fn display_round_trips() {
        for s in ["0", "50ms", "2s", "250us", "10ms-200ms", "1500ms"] {
            let l = parse(s);
            assert_eq!(parse(&l.to_string()), l, "{s}");
        }
        assert_eq!(parse("1.5s").to_string(), "1500ms");
        assert_eq!(parse("10ms-200ms").to_string(), "10ms-200ms");
        let odd = Latency {
            min: Duration::from_nanos(1_500),
            max: Duration::from_nanos(1_500),
        };
        assert_eq!(odd.to_string(), "1.500us");
        assert_eq!(parse(&odd.to_string()), odd);
    }

    #[test]
    fn pick_is_deterministic_and_within_bounds() {
        let l = parse("10ms-200ms");
        let mut seen_low = false;
        let mut seen_high = false;
        for seed in 0..2000u64 {
            let d = l.pick(seed);
            assert!(d >= l.min && d <= l.max, "{d:?}");
            assert_eq!(d, l.pick(seed));
            seen_low |= d < ms(60);
            seen_high |= d > ms(150);
        }
        assert!(seen_low && seen_high, "picks should spread over the range");
    }

    #[test]
    fn pick_of_a_fixed_latency_is_that_latency() {
        assert_eq!(Latency::ZERO.pick(7), Duration::ZERO);
        assert_eq!(parse("50ms").pick(7), ms(50));
        let widest = Latency {
            min: Duration::ZERO,
            max: Duration::MAX,
        };
        let d = widest.pick(3);
        assert!(d <= widest.max);
    }
}
