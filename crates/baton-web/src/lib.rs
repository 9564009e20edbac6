//! The agents' web tools: `WebFetch {url, prompt?}` (a page as Markdown, behind an SSRF guard)
//! and `WebSearch {query, allowed_domains?, blocked_domains?}` (titles, URLs, snippets from a
//! configured backend), offered through baton-tools' provider seam.
//!
//! This is the one crate besides `baton-llm` that speaks HTTP: it fetches what agents ask for,
//! which the providers' transport (retries, keys, streaming) has no business doing.

mod fetch;
mod guard;
mod markdown;
mod provider;
mod search;

pub use fetch::{fetch, FetchSettings, Page};
pub use guard::private_kind;
pub use markdown::to_markdown;
pub use provider::WebTools;
pub use search::{search, Hit, SearchBackend, BRAVE_URL};
