//! Exit codes (SPEC §8).

pub const COMPLETED: i32 = 0;
pub const FAILED: i32 = 1;
/// Bad usage or configuration: a bad script, bad args, a missing key.
pub const USAGE: i32 = 2;
pub const STOPPED: i32 = 3;
pub const INTERRUPTED: i32 = 130;
