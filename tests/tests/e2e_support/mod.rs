//! Shared by the end-to-end suites: running fixture programs, reading
//! their journals, and a replaying proxy.

pub mod crash;
pub mod fx_custom;
pub mod harness;
pub mod journal;
pub mod replay;
pub mod sim_hours;
