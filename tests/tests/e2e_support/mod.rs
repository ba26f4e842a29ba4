//! Shared by the end-to-end suites: running fixture programs, reading
//! their journals, and a replaying proxy.

pub(crate) mod crash;
pub(crate) mod fx_custom;
pub(crate) mod harness;
pub(crate) mod journal;
pub(crate) mod replay;
pub(crate) mod sim_hours;
