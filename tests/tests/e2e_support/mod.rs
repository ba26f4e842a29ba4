//! Shared by the end-to-end suites: running fixture programs, and a replaying proxy.

pub mod harness;
pub mod replay;
