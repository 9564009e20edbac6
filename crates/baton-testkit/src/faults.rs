//! Random faults: a seeded draw per request, so a fault-heavy test is reproducible.

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
