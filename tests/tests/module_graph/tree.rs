//! The module tree of one crate target, from its `mod` declarations: file modules
//! (`mod x;` as `x.rs` or `x/mod.rs`, or `#[path]`) and inline `mod x { ... }`. Test-only
//! modules (`#[cfg(test)]`, or named `tests`) and test-only items are left out.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use syn::{Attribute, Item, Meta};

/// Where a module sits: its names from the crate root (the root is empty).
pub(crate) type ModPath = Vec<String>;

/// One module: the file it is written in and the items that are its own code.
pub(crate) struct Module {
    pub file: PathBuf,
    /// Its items, child modules and test-only items left out.
    pub items: Vec<Item>,
    pub children: Vec<String>,
}

/// Every module of one crate target, by path.
pub(crate) struct Tree {
    pub modules: BTreeMap<ModPath, Module>,
    /// Each file's text, to quote the line an edge comes from.
    pub sources: BTreeMap<PathBuf, String>,
}

/// Reads a source file: the disk for the workspace, a map in the checker's own tests.
pub(crate) trait Sources {
    fn read(&self, path: &Path) -> Option<String>;
}

impl Tree {
    /// The tree under `root` (a `lib.rs` or `main.rs`). A declared module without a file is
    /// an error: the checker would otherwise miss its edges.
    pub(crate) fn read(root: &Path, sources: &dyn Sources) -> Result<Self, String> {
        let mut tree = Tree {
            modules: BTreeMap::new(),
            sources: BTreeMap::new(),
        };
        let dir = root.parent().unwrap_or(Path::new("")).to_path_buf();
        tree.add_file(Vec::new(), root, dir, sources)?;
        Ok(tree)
    }

    fn add_file(
        &mut self,
        path: ModPath,
        file: &Path,
        child_dir: PathBuf,
        sources: &dyn Sources,
    ) -> Result<(), String> {
        let text = sources
            .read(file)
            .ok_or_else(|| format!("cannot read {}", file.display()))?;
        let parsed =
            syn::parse_file(&text).map_err(|e| format!("{}: cannot parse: {e}", file.display()))?;
        self.sources.insert(file.to_path_buf(), text);
        self.add_items(path, file, child_dir, parsed.items, sources)
    }

    fn add_items(
        &mut self,
        path: ModPath,
        file: &Path,
        child_dir: PathBuf,
        items: Vec<Item>,
        sources: &dyn Sources,
    ) -> Result<(), String> {
        let mut own = Vec::new();
        let mut children = Vec::new();
        for item in items {
            if is_test_only(item_attrs(&item)) {
                continue;
            }
            let Item::Mod(module) = item else {
                own.push(item);
                continue;
            };
            let name = module.ident.to_string();
            if name == "tests" {
                continue;
            }
            let mut child = path.clone();
            child.push(name.clone());
            children.push(name.clone());
            match module.content {
                // Inline: its file modules live in a directory named after it.
                Some((_, items)) => {
                    self.add_items(child, file, child_dir.join(&name), items, sources)?
                }
                None => {
                    let (child_file, dir) =
                        child_file(file, &child_dir, &name, &module.attrs, sources)?;
                    self.add_file(child, &child_file, dir, sources)?;
                }
            }
        }
        self.modules.insert(
            path,
            Module {
                file: file.to_path_buf(),
                items: own,
                children,
            },
        );
        Ok(())
    }
}

/// The file `mod name;` names, and the directory its own `mod` declarations look in.
fn child_file(
    parent_file: &Path,
    child_dir: &Path,
    name: &str,
    attrs: &[Attribute],
    sources: &dyn Sources,
) -> Result<(PathBuf, PathBuf), String> {
    if let Some(path) = path_attribute(attrs) {
        let file = parent_file.parent().unwrap_or(Path::new("")).join(path);
        let dir = dir_for_children(&file);
        return Ok((file, dir));
    }
    let flat = child_dir.join(format!("{name}.rs"));
    if sources.read(&flat).is_some() {
        return Ok((flat, child_dir.join(name)));
    }
    let nested = child_dir.join(name).join("mod.rs");
    if sources.read(&nested).is_some() {
        return Ok((nested, child_dir.join(name)));
    }
    Err(format!(
        "{}: `mod {name};` has neither {} nor {}",
        parent_file.display(),
        flat.display(),
        nested.display()
    ))
}

/// `mod.rs` (and a crate root) hold their children beside them; `x.rs` holds them in `x/`.
fn dir_for_children(file: &Path) -> PathBuf {
    let dir = file.parent().unwrap_or(Path::new("")).to_path_buf();
    match file.file_stem().and_then(|s| s.to_str()) {
        Some("mod") | None => dir,
        Some(stem) => dir.join(stem),
    }
}

fn path_attribute(attrs: &[Attribute]) -> Option<String> {
    attrs.iter().find_map(|attr| match &attr.meta {
        Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    })
}

pub(crate) fn item_attrs(item: &Item) -> &[Attribute] {
    match item {
        Item::Const(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::ExternCrate(i) => &i.attrs,
        Item::Fn(i) => &i.attrs,
        Item::ForeignMod(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Macro(i) => &i.attrs,
        Item::Mod(i) => &i.attrs,
        Item::Static(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Trait(i) => &i.attrs,
        Item::TraitAlias(i) => &i.attrs,
        Item::Type(i) => &i.attrs,
        Item::Union(i) => &i.attrs,
        Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

/// True when a `#[cfg(...)]` keeps the item out of every build but a test build:
/// `cfg(test)`, `cfg(all(test, ...))`, `cfg(any(test, test))`; `cfg(not(test))` is code.
pub(crate) fn is_test_only(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg")
            && attr
                .parse_args::<Meta>()
                .is_ok_and(|predicate| requires_test(&predicate))
    })
}

fn requires_test(predicate: &Meta) -> bool {
    match predicate {
        Meta::Path(path) => path.is_ident("test"),
        Meta::List(list) => {
            let Ok(inner) = list.parse_args_with(
                syn::punctuated::Punctuated::<Meta, syn::Token![,]>::parse_terminated,
            ) else {
                return false;
            };
            if list.path.is_ident("all") {
                inner.iter().any(requires_test)
            } else if list.path.is_ident("any") {
                !inner.is_empty() && inner.iter().all(requires_test)
            } else {
                false
            }
        }
        Meta::NameValue(_) => false,
    }
}
