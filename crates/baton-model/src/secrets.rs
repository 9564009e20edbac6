//! The environment variables that hold provider credentials: hidden from every shell command
//! an agent runs, and their values redacted from everything the journal stores.

pub const PROVIDER_KEY_VARIABLES: [&str; 3] = [
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "OPENAI_API_KEY",
];
