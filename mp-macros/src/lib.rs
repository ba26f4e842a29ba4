//! Procedural macros for `mp-runtime`. Depend on `mp-runtime`, which re-exports them.
