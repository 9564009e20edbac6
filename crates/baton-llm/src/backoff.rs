//! How long to wait before a retry: exponential backoff with jitter, or what the server asked
//! for in `retry-after` / `retry-after-ms`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;

/// A server may ask for any wait; beyond this we would rather fail the call than sit idle.
pub(crate) const MAX_SERVER_DELAY: Duration = Duration::from_secs(120);

/// The computed delay before retry `attempt` (1 = first retry): `base * 2^(attempt-1)`,
/// capped at `max`, then scaled by a jitter factor in [0.5, 1.0] so that agents which failed
/// together do not come back together.
pub(crate) fn backoff(attempt: u32, base: Duration, max: Duration) -> Duration {
    let doublings = attempt.saturating_sub(1).min(31);
    let full = base.saturating_mul(1u32 << doublings).min(max);
    full.mul_f64(0.5 + 0.5 * unit_random())
}

/// The wait the server asked for, capped, plus up to 10 % jitter (several agents that were
/// told the same instant should not all arrive at that instant).
pub(crate) fn server_delay(asked: Duration) -> Duration {
    asked
        .min(MAX_SERVER_DELAY)
        .mul_f64(1.0 + 0.1 * unit_random())
}

/// Reads `retry-after-ms` (milliseconds, OpenAI) or `retry-after` (seconds, possibly
/// fractional, or an HTTP date). `None` when neither is present or parseable.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    if let Some(ms) = header("retry-after-ms").and_then(parse_seconds) {
        return Some(ms / 1000);
    }
    let value = header("retry-after")?;
    parse_seconds(value).or_else(|| {
        let at = parse_http_date(value)?;
        Some(
            at.duration_since(SystemTime::now())
                .unwrap_or(Duration::ZERO),
        )
    })
}

/// A non-negative decimal number as a duration in its own unit (seconds, or ms / 1000).
fn parse_seconds(text: &str) -> Option<Duration> {
    let number: f64 = text.trim().parse().ok()?;
    (number.is_finite() && number >= 0.0).then(|| Duration::from_secs_f64(number.min(1e9)))
}

/// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the only form RFC 9110 lets senders use.
fn parse_http_date(text: &str) -> Option<SystemTime> {
    let parts: Vec<&str> = text.split_whitespace().collect();
    let [_weekday, day, month, year, time, "GMT"] = parts.as_slice() else {
        return None;
    };
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|name| name == month)? as u32 + 1;
    let day: u32 = day.parse().ok()?;
    let year: i64 = year.parse().ok()?;
    let mut clock = time.split(':').map(|part| part.parse::<u64>().ok());
    let (hour, minute, second) = (clock.next()??, clock.next()??, clock.next()??);
    if clock.next().is_some() || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let seconds = u64::try_from(days).ok()? * 86_400 + hour * 3600 + minute * 60 + second;
    Some(UNIX_EPOCH + Duration::from_secs(seconds))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (i64::from(month) + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// A number in [0, 1): splitmix64 over a process-wide counter seeded from the clock. Jitter
/// only has to differ between concurrent callers, not be unpredictable, so no `rand` crate.
fn unit_random() -> f64 {
    static STATE: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut z = STATE
        .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
        .wrapping_add(nanos);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn backoff_doubles_within_jitter_bounds_and_caps() {
        let base = Duration::from_millis(500);
        let max = Duration::from_secs(30);
        for attempt in 1..=40 {
            let full = (base * 2u32.pow((attempt - 1).min(20))).min(max);
            for _ in 0..50 {
                let delay = backoff(attempt, base, max);
                assert!(delay >= full / 2 && delay <= full, "{attempt}: {delay:?}");
            }
        }
        assert!(backoff(3, base, max) <= Duration::from_secs(2));
        assert!(backoff(0, base, max) <= base);
    }

    #[test]
    fn jitter_varies() {
        let delays: std::collections::BTreeSet<Duration> = (0..20)
            .map(|_| backoff(5, Duration::from_secs(1), Duration::from_secs(60)))
            .collect();
        assert!(delays.len() > 10);
    }

    #[test]
    fn server_delay_is_capped() {
        let asked = server_delay(Duration::from_secs(3600));
        assert!(asked >= MAX_SERVER_DELAY && asked <= MAX_SERVER_DELAY.mul_f64(1.1));
        let small = server_delay(Duration::from_millis(50));
        assert!(small >= Duration::from_millis(50) && small <= Duration::from_millis(55));
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn retry_after_forms() {
        let parse = |pairs: &[(&'static str, &str)]| retry_after(&headers(pairs));
        assert_eq!(parse(&[("retry-after", "2")]), Some(Duration::from_secs(2)));
        assert_eq!(
            parse(&[("retry-after", "0.05")]),
            Some(Duration::from_millis(50))
        );
        assert_eq!(
            parse(&[("retry-after-ms", "250"), ("retry-after", "9")]),
            Some(Duration::from_millis(250))
        );
        assert_eq!(parse(&[("retry-after", "-1")]), None);
        assert_eq!(parse(&[("retry-after", "soon")]), None);
        assert_eq!(parse(&[]), None);
        // A date in the past means "now".
        assert_eq!(
            parse(&[("retry-after", "Sun, 06 Nov 1994 08:49:37 GMT")]),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn http_dates() {
        let at = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(
            at.duration_since(UNIX_EPOCH).unwrap().as_secs(),
            784_111_777
        );
        let leap = parse_http_date("Thu, 29 Feb 2024 00:00:00 GMT").unwrap();
        assert_eq!(
            leap.duration_since(UNIX_EPOCH).unwrap().as_secs(),
            1_709_164_800
        );
        assert!(parse_http_date("Sun, 06 Nov 1994 08:49:37 PST").is_none());
        assert!(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT").is_none());
        assert!(parse_http_date("Sun, 06 Nov 1994 08:49 GMT").is_none());
    }
}
