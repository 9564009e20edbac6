//! Large payloads by reference: an activity's input or result whose JSON is over
//! `INLINE_LIMIT` is stored as a git blob, pushed to the git home under
//! `refs/baton/blobs/<sha>` (content-addressed, so a redelivery stores nothing new), and
//! Temporal carries only its address; the other side fetches and reads it.

use std::path::Path;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::git::{git, git_with_input, repo_root, GitLock};
use crate::wire::{Carried, INLINE_LIMIT};

/// `value` as Temporal should carry it, stored through `home` from the repository around
/// `dir` when it is large. `what` names it in errors.
pub(crate) fn seal<T: Serialize>(
    value: T,
    what: &str,
    home: Option<&str>,
    dir: &Path,
    lock: &GitLock,
) -> Result<Carried<T>, String> {
    let json = serde_json::to_vec(&value).map_err(|e| format!("{what}: {e}"))?;
    if json.len() <= INLINE_LIMIT {
        return Ok(Carried::Inline { value });
    }
    let Some(home) = home else {
        return Err(format!(
            "{what} is {} KB of JSON, more than Temporal carries ({} KB here); set --git-home \
             (BATON_TEMPORAL_GIT_HOME) so large payloads travel by reference",
            json.len() / 1024,
            INLINE_LIMIT / 1024
        ));
    };
    let repo = repo_root(dir).map_err(|e| format!("{what} must travel by reference: {e}"))?;
    let _guard = lock.lock().unwrap_or_else(|e| e.into_inner());
    let sha = git_with_input(&repo, &["hash-object", "-w", "--stdin"], Some(&json))?
        .trim()
        .to_string();
    git(
        &repo,
        &["push", "-q", home, &format!("{sha}:{}", blob_ref(&sha))],
    )
    .map_err(|e| format!("cannot store {what} in the git home {home}: {e}"))?;
    Ok(Carried::Stored {
        home: home.to_string(),
        sha,
        bytes: json.len(),
    })
}

/// The value `carried` holds, fetched into the repository around `dir` when stored.
pub(crate) fn open<T: DeserializeOwned>(
    carried: Carried<T>,
    what: &str,
    dir: &Path,
    lock: &GitLock,
) -> Result<T, String> {
    let (home, sha) = match carried {
        Carried::Inline { value } => return Ok(value),
        Carried::Stored { home, sha, .. } => (home, sha),
    };
    let repo = repo_root(dir).map_err(|e| format!("{what} travelled by reference: {e}"))?;
    let json = {
        let _guard = lock.lock().unwrap_or_else(|e| e.into_inner());
        if git(&repo, &["cat-file", "-e", &sha]).is_err() {
            let refspec = format!("+{0}:{0}", blob_ref(&sha));
            git(&repo, &["fetch", "-q", &home, &refspec])
                .map_err(|e| format!("cannot fetch {what} from the git home {home}: {e}"))?;
        }
        git(&repo, &["cat-file", "blob", &sha])?
    };
    serde_json::from_str(&json).map_err(|e| format!("{what} from the git home: {e}"))
}

fn blob_ref(sha: &str) -> String {
    format!("refs/baton/blobs/{sha}")
}
