//! Identifier newtypes: a run's id and an agent call's content key.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// A run's id: `wf_` followed by 12 lowercase hex characters (SPEC §7).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RunId(String);

impl RunId {
    /// A fresh id, unique enough across processes: hashed from the clock, the pid and a counter.
    pub fn generate() -> Self {
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let mut hasher = Sha256::new();
        hasher.update(now.as_nanos().to_le_bytes());
        hasher.update(std::process::id().to_le_bytes());
        hasher.update(COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
        let digest = hasher.finalize();
        let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
        RunId(format!("wf_{hex}"))
    }

    /// Checks the shape `wf_` + 12 lowercase base32/hex characters.
    pub fn parse(text: &str) -> Option<Self> {
        let rest = text.strip_prefix("wf_")?;
        let ok = rest.len() == 12
            && rest
                .chars()
                .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase());
        ok.then(|| RunId(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The content identity of an agent call: SHA-256 (hex) over everything that shapes its work.
/// Two calls with the same key do the same work; the occurrence number tells them apart.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CallKey(pub String);

impl fmt::Display for CallKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_have_the_contract_shape_and_differ() {
        let a = RunId::generate();
        let b = RunId::generate();
        assert!(RunId::parse(a.as_str()).is_some(), "{a}");
        assert_ne!(a, b);
    }

    #[test]
    fn parse_refuses_other_shapes() {
        assert!(RunId::parse("wf_0123456789ab").is_some());
        assert!(RunId::parse("wf_0123456789a").is_none());
        assert!(RunId::parse("wf_0123456789AB").is_none());
        assert!(RunId::parse("run_0123456789ab").is_none());
    }
}
