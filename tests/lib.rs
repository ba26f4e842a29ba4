//! Shared helpers for the workspace-level suites.
