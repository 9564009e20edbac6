//! Random faults: a seeded draw per request, so a fault-heavy test is reproducible.

use std::time::Duration;

use baton_sim::SimRng;

use crate::config::{FaultKind, Faults};

/// The random fault of the `request`-th request (counted from 0 in arrival order), if any.
///
/// One uniform draw is compared with the cumulative rates, so the rates behave as independent
/// shares of the requests (rates summing past 1.0 simply mean "always some fault").
pub(crate) fn random_fault(faults: &Faults, request: u64) -> Option<FaultKind> {
    let shares = [
        (faults.rate_429, FaultKind::RateLimited),
        (faults.rate_529, FaultKind::Overloaded),
        (faults.rate_500, FaultKind::ServerError),
        (faults.rate_drop, FaultKind::Drop),
        (faults.rate_truncate, FaultKind::Truncate),
        (faults.rate_stall, FaultKind::Stall),
    ];
    if shares.iter().all(|(rate, _)| *rate <= 0.0) {
        return None;
    }
    let draw = unit(faults.seed, request);
    let mut upto = 0.0;
    for (rate, kind) in shares {
        upto += rate.max(0.0);
        if draw < upto {
            return Some(kind);
        }
    }
    None
}

/// The `request`-th request's latency: `median`, or with `sigma > 0` a lognormal draw around
/// it (Box–Muller from two seeded uniform draws, so a run's latencies are reproducible).
pub(crate) fn latency_of(median: Duration, sigma: f64, seed: u64, request: u64) -> Duration {
    if sigma <= 0.0 || median.is_zero() {
        return median;
    }
    // Streams apart from the fault draw's, so latencies and faults stay independent.
    let u1 = 1.0 - unit(seed ^ 0x6c61_7465_6e63_7921, request);
    let u2 = unit(seed ^ 0x6c61_7465_6e63_7922, request);
    let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
    median.mul_f64((sigma * z).exp().min(1e6))
}

/// A number uniform in [0, 1) that depends only on the seed and the request number.
fn unit(seed: u64, request: u64) -> f64 {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[8..].copy_from_slice(&request.to_le_bytes());
    let bits = SimRng::from_seed_bytes(&bytes).next_u64();
    // The top 53 bits fill an f64 mantissa exactly.
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lognormal_latency_has_its_median_and_a_spread() {
        let median = Duration::from_millis(300);
        let mut draws: Vec<Duration> = (0..2001).map(|n| latency_of(median, 0.5, 3, n)).collect();
        assert_eq!(
            draws,
            (0..2001)
                .map(|n| latency_of(median, 0.5, 3, n))
                .collect::<Vec<_>>()
        );
        draws.sort();
        let middle = draws[1000].as_secs_f64();
        assert!((0.27..0.33).contains(&middle), "median {middle}");
        assert!(
            draws[0] < median / 2 && draws[2000] > median * 2,
            "no spread"
        );
        assert_eq!(latency_of(median, 0.0, 3, 7), median);
    }

    #[test]
    fn no_rates_no_faults() {
        let faults = Faults::default();
        assert!((0..100).all(|n| random_fault(&faults, n).is_none()));
    }

    #[test]
    fn rates_are_roughly_honoured_and_reproducible() {
        let faults = Faults {
            seed: 9,
            rate_429: 0.2,
            rate_drop: 0.1,
            ..Faults::default()
        };
        let draws: Vec<_> = (0..2000).map(|n| random_fault(&faults, n)).collect();
        let count = |kind| draws.iter().filter(|d| **d == Some(kind)).count();
        assert!((300..500).contains(&count(FaultKind::RateLimited)));
        assert!((120..280).contains(&count(FaultKind::Drop)));
        assert_eq!(count(FaultKind::Stall), 0);
        let again: Vec<_> = (0..2000).map(|n| random_fault(&faults, n)).collect();
        assert_eq!(draws, again);
    }

    #[test]
    fn a_full_rate_always_faults() {
        let faults = Faults {
            rate_500: 1.0,
            ..Faults::default()
        };
        assert!((0..50).all(|n| random_fault(&faults, n) == Some(FaultKind::ServerError)));
    }
}
