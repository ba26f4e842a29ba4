//! Checks of the workspace's shape rather than of its behaviour: modules import downward only,
//! and the README's two commands compile each dependency once.

mod module_cycles;
mod module_graph;
mod shared_builds;
