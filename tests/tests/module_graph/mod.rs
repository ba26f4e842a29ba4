//! Import cycles between a crate's modules, read from its source with syn.
//!
//! At each level of the module tree the nodes are the sibling modules, plus the parent's own
//! items as one node (its file: `mod.rs`, `lib.rs`, or `x.rs` of `mod x`). Module A has an
//! edge to B when A's code (or its submodules') names something in B: `crate::b::...`,
//! `super::b::...`, a re-export that leads into B, or `super::item` from a child, which is
//! an edge from the child to its parent's items. A strongly connected component of more
//! than one node is a cycle. Test-only code is not read (see `tree`).

mod references;
pub(crate) mod tree;

use references::{bindings, references};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
pub(crate) use tree::{ModPath, Sources, Tree};

/// How a cycle names the parent's own items among its children.
pub(crate) const OWN_ITEMS: &str = "(own items)";

/// One cycle: the level it is at (the parent module's path), its modules, and one written
/// path per edge between them.
pub(crate) struct Cycle {
    pub level: ModPath,
    pub modules: Vec<String>,
    pub edges: Vec<Edge>,
}

/// `from` names something in `to`: where, and the path as written.
#[derive(Clone)]
pub(crate) struct Edge {
    pub from: String,
    pub to: String,
    pub file: PathBuf,
    pub line: usize,
    pub written: String,
}

/// Every cycle of the crate target whose root file is `root`, in level order.
pub(crate) fn cycles(root: &Path, sources: &dyn Sources) -> Result<Vec<Cycle>, String> {
    let tree = Tree::read(root, sources)?;
    let resolver = Resolver::new(&tree);
    // level -> (from, to) -> the first place it is written
    let mut levels: BTreeMap<ModPath, BTreeMap<(String, String), Edge>> = BTreeMap::new();
    for (path, module) in &tree.modules {
        for reference in references(&module.items) {
            let Some(target) = resolver.resolve(path, &reference.segments, 0) else {
                continue;
            };
            let Some((level, from, to)) = edge_between(path, &target) else {
                continue;
            };
            levels
                .entry(level)
                .or_default()
                .entry((from.clone(), to.clone()))
                .or_insert(Edge {
                    from,
                    to,
                    file: module.file.clone(),
                    line: reference.line,
                    written: reference.segments.join("::"),
                });
        }
    }
    let mut found = Vec::new();
    for (level, edges) in levels {
        for component in strongly_connected(&edges) {
            let in_cycle = edges
                .iter()
                .filter(|((from, to), _)| component.contains(from) && component.contains(to))
                .map(|(_, edge)| edge.clone())
                .collect();
            found.push(Cycle {
                level: level.clone(),
                modules: component,
                edges: in_cycle,
            });
        }
    }
    Ok(found)
}

/// The level at which module `from` depends on the module `target` lands in, and the two
/// nodes of that level. None for a module naming its own items.
fn edge_between(from: &ModPath, target: &ModPath) -> Option<(ModPath, String, String)> {
    let common = from.iter().zip(target).take_while(|(a, b)| a == b).count();
    let node = |path: &ModPath| {
        path.get(common)
            .cloned()
            .unwrap_or_else(|| OWN_ITEMS.into())
    };
    if common == from.len() && common == target.len() {
        return None;
    }
    Some((from[..common].to_vec(), node(from), node(target)))
}

/// Follows written paths through the module tree and the `use` bindings each module has,
/// so a re-export (`crate::Name` for `pub use b::Name`) counts as naming `b`.
struct Resolver<'a> {
    tree: &'a Tree,
    bindings: BTreeMap<&'a ModPath, BTreeMap<String, Vec<String>>>,
}

impl<'a> Resolver<'a> {
    fn new(tree: &'a Tree) -> Self {
        let bindings = tree
            .modules
            .iter()
            .map(|(path, module)| {
                let names = bindings(&module.items)
                    .into_iter()
                    .map(|b| (b.name, b.target));
                (path, names.collect())
            })
            .collect();
        Resolver { tree, bindings }
    }

    fn is_child(&self, module: &ModPath, name: &str) -> bool {
        self.tree
            .modules
            .get(module)
            .is_some_and(|m| m.children.iter().any(|c| c == name))
    }

    fn binding(&self, module: &ModPath, name: &str) -> Option<&Vec<String>> {
        self.bindings.get(module).and_then(|names| names.get(name))
    }

    /// The module a path written in module `from` lands in; None when it leaves the crate
    /// (std, a dependency) or names a local item of `from`.
    fn resolve(&self, from: &ModPath, segments: &[String], depth: usize) -> Option<ModPath> {
        // A re-export chain longer than this is a `use` cycle, which rustc rejects anyway.
        if depth > 16 || segments.is_empty() {
            return None;
        }
        let first = segments[0].as_str();
        match first {
            "crate" => self.descend(Vec::new(), &segments[1..], depth),
            "self" => self.descend(from.clone(), &segments[1..], depth),
            "super" => {
                let up = segments.iter().take_while(|s| *s == "super").count();
                let base = from.get(..from.len().checked_sub(up)?)?.to_vec();
                self.descend(base, &segments[up..], depth)
            }
            _ if self.is_child(from, first) => self.descend(from.clone(), segments, depth),
            _ => {
                let target = self.binding(from, first)?;
                let full: Vec<String> = target.iter().chain(&segments[1..]).cloned().collect();
                self.resolve(from, &full, depth + 1)
            }
        }
    }

    fn descend(&self, mut module: ModPath, rest: &[String], depth: usize) -> Option<ModPath> {
        for (i, segment) in rest.iter().enumerate() {
            if self.is_child(&module, segment) {
                module.push(segment.clone());
                continue;
            }
            if let Some(target) = self.binding(&module, segment) {
                let full: Vec<String> = target.iter().chain(&rest[i + 1..]).cloned().collect();
                return self.resolve(&module, &full, depth + 1).or(Some(module));
            }
            break;
        }
        Some(module)
    }
}

/// Tarjan's strongly connected components of more than one node, each sorted.
fn strongly_connected(edges: &BTreeMap<(String, String), Edge>) -> Vec<Vec<String>> {
    let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, to) in edges.keys() {
        next.entry(from).or_default().push(to);
        next.entry(to).or_default();
    }
    struct Walk<'a> {
        next: &'a BTreeMap<&'a str, Vec<&'a str>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        found: Vec<Vec<String>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, node: &'a str) {
            let index = self.index.len();
            self.index.insert(node, index);
            self.low.insert(node, index);
            self.stack.push(node);
            for &to in &self.next[node] {
                if !self.index.contains_key(to) {
                    self.visit(to);
                    let low = self.low[node].min(self.low[to]);
                    self.low.insert(node, low);
                } else if self.stack.contains(&to) {
                    let low = self.low[node].min(self.index[to]);
                    self.low.insert(node, low);
                }
            }
            if self.low[node] == self.index[node] {
                let at = self
                    .stack
                    .iter()
                    .rposition(|n| *n == node)
                    .expect("on the stack");
                let mut component: Vec<String> = self.stack.drain(at..).map(String::from).collect();
                if component.len() > 1 {
                    component.sort();
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        next: &next,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for &node in next.keys() {
        if !walk.index.contains_key(node) {
            walk.visit(node);
        }
    }
    walk.found.sort();
    walk.found
}

/// Source files on disk.
pub(crate) struct Disk;

impl Sources for Disk {
    fn read(&self, path: &Path) -> Option<String> {
        std::fs::read_to_string(path).ok()
    }
}

/// Source files held in memory, for the checker's own tests.
impl Sources for BTreeMap<PathBuf, String> {
    fn read(&self, path: &Path) -> Option<String> {
        self.get(path).cloned()
    }
}
