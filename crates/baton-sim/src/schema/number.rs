//! Integers and numbers within `minimum`/`maximum` (exclusive or not) and `multipleOf`.
//!
//! Every value is a whole multiple `k * step` of a decimal step, computed in decimal and only
//! then turned into JSON, because validators check `multipleOf` on the decimal text: `3 * 0.1`
//! in binary floating point prints as `0.30000000000000004`, which is not a multiple of `0.1`.
//! Integers use step 1 (or the smallest whole multiple of `multipleOf`); numbers without
//! `multipleOf` use step 0.5, so they read like numbers (`1.5`) and stay exact.

use serde_json::{Number, Value};

use super::flat::Flat;
use super::Generator;

/// How many steps above the lowest allowed value (or above 0) values range over.
const WINDOW_STEPS: i128 = 10;
/// Steps taken to correct a float estimate of the lowest or highest multiple; more only happen
/// where floats are too coarse to tell multiples apart, and then the final check decides.
const MAX_WALK: usize = 4;
/// Multiples beyond this magnitude are not attempted; JSON numbers this large are not "small".
const LIMIT: f64 = 1e30;

/// A decimal `mantissa / 10^scale`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Decimal {
    mantissa: i128,
    scale: u32,
}

impl Decimal {
    /// The decimal `f` prints as (Rust prints the shortest text that reads back as `f`).
    fn of(f: f64) -> Option<Decimal> {
        if !f.is_finite() || f.abs() > LIMIT {
            return None;
        }
        let text = format!("{f}");
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
        let scale = u32::try_from(fraction.len()).ok().filter(|s| *s <= 18)?;
        let mantissa: i128 = format!("{whole}{fraction}").parse().ok()?;
        Some(Decimal { mantissa, scale })
    }

    fn times(self, k: i128) -> Option<Decimal> {
        Some(Decimal {
            mantissa: self.mantissa.checked_mul(k)?,
            scale: self.scale,
        })
    }

    fn to_f64(self) -> f64 {
        self.text().parse().unwrap_or(f64::NAN)
    }

    fn text(self) -> String {
        let sign = if self.mantissa < 0 { "-" } else { "" };
        let digits = self.mantissa.unsigned_abs().to_string();
        let scale = self.scale as usize;
        if scale == 0 {
            return format!("{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (whole, fraction) = padded.split_at(padded.len() - scale);
        format!("{sign}{whole}.{fraction}")
    }

    /// As JSON: an integer when whole (so it also satisfies `type: integer`), else a float.
    fn to_json(self) -> Value {
        let ten = 10_i128.pow(self.scale);
        if self.mantissa % ten == 0 {
            let whole = self.mantissa / ten;
            if let Ok(i) = i64::try_from(whole) {
                return Value::Number(Number::from(i));
            }
        }
        Number::from_f64(self.to_f64()).map_or(Value::Null, Value::Number)
    }
}

/// Lower and upper limits, each with whether it is exclusive.
struct Bounds {
    low: Option<(f64, bool)>,
    high: Option<(f64, bool)>,
}

impl Bounds {
    fn of(flat: &Flat) -> Bounds {
        let get = |k: &str| flat.kw.get(k).and_then(Value::as_f64);
        let tighter = |a: Option<(f64, bool)>, b: Option<(f64, bool)>, lower: bool| match (a, b) {
            (Some(x), Some(y)) => {
                let x_wins = if lower {
                    x.0 > y.0 || (x.0 == y.0 && x.1)
                } else {
                    x.0 < y.0 || (x.0 == y.0 && x.1)
                };
                Some(if x_wins { x } else { y })
            }
            (x, y) => x.or(y),
        };
        let low = tighter(
            get("minimum").map(|m| (m, false)),
            get("exclusiveMinimum").map(|m| (m, true)),
            true,
        );
        let high = tighter(
            get("maximum").map(|m| (m, false)),
            get("exclusiveMaximum").map(|m| (m, true)),
            false,
        );
        Bounds { low, high }
    }

    fn admits(&self, x: f64) -> bool {
        let above = self
            .low
            .is_none_or(|(lo, ex)| if ex { x > lo } else { x >= lo });
        let below = self
            .high
            .is_none_or(|(hi, ex)| if ex { x < hi } else { x <= hi });
        above && below
    }
}

/// An integer for `flat`.
pub(super) fn integer(g: &mut Generator<'_>, flat: &Flat) -> Value {
    let step = match flat
        .kw
        .get("multipleOf")
        .and_then(Value::as_f64)
        .and_then(Decimal::of)
    {
        // The smallest whole multiple of `m / 10^s` is `m / gcd(m, 10^s)`.
        Some(m) if m.mantissa > 0 => {
            let ten = 10_i128.pow(m.scale);
            Decimal {
                mantissa: m.mantissa / gcd(m.mantissa, ten),
                scale: 0,
            }
        }
        _ => Decimal {
            mantissa: 1,
            scale: 0,
        },
    };
    multiple(g, flat, step).unwrap_or(Value::from(0))
}

/// A number for `flat`.
pub(super) fn number(g: &mut Generator<'_>, flat: &Flat) -> Value {
    let declared = flat
        .kw
        .get("multipleOf")
        .and_then(Value::as_f64)
        .and_then(Decimal::of);
    let step = match declared {
        Some(m) if m.mantissa > 0 => m,
        _ => Decimal {
            mantissa: 5,
            scale: 1,
        },
    };
    if let Some(v) = multiple(g, flat, step) {
        return v;
    }
    // No half step fits (say, between 0.1 and 0.2): take the middle, or an end.
    let bounds = Bounds::of(flat);
    let x = match (bounds.low, bounds.high) {
        (Some((lo, _)), Some((hi, _))) => lo / 2.0 + hi / 2.0,
        (Some((lo, _)), None) => lo + 1.0,
        (None, Some((hi, _))) => hi - 1.0,
        (None, None) => 0.0,
    };
    Number::from_f64(x).map_or(Value::from(0), Value::Number)
}

/// `k * step` for a `k` that keeps the value within bounds, near zero or the lower bound.
fn multiple(g: &mut Generator<'_>, flat: &Flat, step: Decimal) -> Option<Value> {
    let bounds = Bounds::of(flat);
    let step_f = step.to_f64();
    let value_of = |k: i128| step.times(k).map(|d| (d, d.to_f64()));
    let admits = |k: i128| value_of(k).is_some_and(|(_, x)| bounds.admits(x));
    // Float estimates of the extreme multiples, corrected by walking a step or two.
    let k_low = match bounds.low {
        Some((lo, _)) => {
            let mut k = estimate(lo / step_f, f64::ceil)?;
            for _ in 0..MAX_WALK {
                if !admits(k) && value_of(k).is_some_and(|(_, x)| x <= lo) {
                    k += 1;
                } else if admits(k - 1) {
                    k -= 1;
                } else {
                    break;
                }
            }
            Some(k)
        }
        None => None,
    };
    let k_high = match bounds.high {
        Some((hi, _)) => {
            let mut k = estimate(hi / step_f, f64::floor)?;
            for _ in 0..MAX_WALK {
                if !admits(k) && value_of(k).is_some_and(|(_, x)| x >= hi) {
                    k -= 1;
                } else if admits(k + 1) {
                    k += 1;
                } else {
                    break;
                }
            }
            Some(k)
        }
        None => None,
    };
    if let (Some(lo), Some(hi)) = (k_low, k_high) {
        if lo > hi {
            return None;
        }
    }
    // Start at zero when allowed, else at the nearest end, and go up a few steps.
    let start = match (k_low, k_high) {
        (Some(lo), _) if lo > 0 => lo,
        (_, Some(hi)) if hi < 0 => hi,
        _ => 0,
    };
    let window = WINDOW_STEPS + i128::from(g.spread) * 2;
    let end = k_high.map_or(start + window, |hi| hi.min(start + window));
    let span = u64::try_from(end - start).ok()?;
    let k = start + i128::from(g.rng.below(span + 1));
    let (decimal, x) = value_of(k)?;
    bounds.admits(x).then(|| decimal.to_json())
}

/// `f` rounded by `round`, as an integer, when it is within range.
fn estimate(f: f64, round: fn(f64) -> f64) -> Option<i128> {
    let r = round(f);
    (r.is_finite() && r.abs() < LIMIT).then_some(r as i128)
}

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 {
        a.abs()
    } else {
        gcd(b, a % b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_print_exactly() {
        let d = Decimal::of(0.1).unwrap();
        assert_eq!(
            d,
            Decimal {
                mantissa: 1,
                scale: 1
            }
        );
        assert_eq!(d.times(3).unwrap().text(), "0.3");
        assert_eq!(
            Decimal {
                mantissa: -5,
                scale: 2
            }
            .text(),
            "-0.05"
        );
        assert_eq!(
            Decimal {
                mantissa: 120,
                scale: 1
            }
            .to_json(),
            Value::from(12)
        );
        assert_eq!(
            Decimal {
                mantissa: 125,
                scale: 1
            }
            .to_json(),
            serde_json::json!(12.5)
        );
        assert_eq!(Decimal::of(1e40), None);
        assert_eq!(Decimal::of(f64::NAN), None);
    }
}
