//! The paths one module's own code names: its `use` trees, paths in its items, and
//! `a::b` runs inside macro calls (`format!("{}", crate::ids::new())` names `ids` too).
//! Test-only items, child modules, visibilities (`pub(crate)`), `cfg` and `doc` are skipped.

use super::tree::{is_test_only, item_attrs};
use proc_macro2::{TokenStream, TokenTree};
use syn::visit::{self, Visit};
use syn::{Attribute, ImplItem, Item, ItemUse, Macro, Meta, TraitItem, UseTree, Visibility};

/// A path as written (`crate`, `super` and `self` included), and the line it ends on.
#[derive(Debug, Clone)]
pub(super) struct Reference {
    pub segments: Vec<String>,
    pub line: usize,
}

/// A name a `use` binds in its module, and the path it stands for.
pub(super) struct Binding {
    pub name: String,
    pub target: Vec<String>,
}

/// Every path `items` name.
pub(super) fn references(items: &[Item]) -> Vec<Reference> {
    let mut collector = Collector::default();
    for item in items {
        collector.visit_item(item);
    }
    collector.found
}

/// The names the module's `use` items bind (globs bind none).
pub(super) fn bindings(items: &[Item]) -> Vec<Binding> {
    let mut out = Vec::new();
    for item in items {
        if let Item::Use(u) = item {
            for leaf in use_leaves(&u.tree) {
                if let Some(name) = leaf.binds {
                    out.push(Binding {
                        name,
                        target: leaf.reference.segments,
                    });
                }
            }
        }
    }
    out
}

#[derive(Default)]
struct Collector {
    found: Vec<Reference>,
}

impl<'ast> Visit<'ast> for Collector {
    fn visit_item(&mut self, item: &'ast Item) {
        if matches!(item, Item::Mod(_)) || is_test_only(item_attrs(item)) {
            return;
        }
        visit::visit_item(self, item);
    }

    fn visit_impl_item(&mut self, item: &'ast ImplItem) {
        let attrs = match item {
            ImplItem::Const(i) => &i.attrs,
            ImplItem::Fn(i) => &i.attrs,
            ImplItem::Type(i) => &i.attrs,
            ImplItem::Macro(i) => &i.attrs,
            _ => return visit::visit_impl_item(self, item),
        };
        if !is_test_only(attrs) {
            visit::visit_impl_item(self, item);
        }
    }

    fn visit_trait_item(&mut self, item: &'ast TraitItem) {
        let attrs = match item {
            TraitItem::Const(i) => &i.attrs,
            TraitItem::Fn(i) => &i.attrs,
            TraitItem::Type(i) => &i.attrs,
            TraitItem::Macro(i) => &i.attrs,
            _ => return visit::visit_trait_item(self, item),
        };
        if !is_test_only(attrs) {
            visit::visit_trait_item(self, item);
        }
    }

    fn visit_item_use(&mut self, item: &'ast ItemUse) {
        self.found.extend(
            use_leaves(&item.tree)
                .into_iter()
                .map(|leaf| leaf.reference),
        );
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        if let Some(last) = path.segments.last() {
            self.found.push(Reference {
                segments: path.segments.iter().map(|s| s.ident.to_string()).collect(),
                line: last.ident.span().start().line,
            });
        }
        visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast Macro) {
        self.visit_path(&mac.path);
        scan_tokens(mac.tokens.clone(), &mut self.found);
    }

    // `pub(crate)` and `pub(super)` say who may look, not what this code uses.
    fn visit_visibility(&mut self, _: &'ast Visibility) {}

    // An attribute's own path is a macro's name; its arguments may name code
    // (`#[arg(value_parser = super::args::parse_platform)]`), `cfg` and `doc` never do.
    fn visit_attribute(&mut self, attr: &'ast Attribute) {
        if attr.path().is_ident("cfg") || attr.path().is_ident("doc") {
            return;
        }
        match &attr.meta {
            Meta::List(list) => scan_tokens(list.tokens.clone(), &mut self.found),
            Meta::NameValue(nv) => self.visit_expr(&nv.value),
            Meta::Path(_) => {}
        }
    }
}

struct UseLeaf {
    reference: Reference,
    binds: Option<String>,
}

fn use_leaves(tree: &UseTree) -> Vec<UseLeaf> {
    let mut out = Vec::new();
    walk_use(tree, &mut Vec::new(), &mut out);
    out
}

fn walk_use(tree: &UseTree, prefix: &mut Vec<String>, out: &mut Vec<UseLeaf>) {
    let leaf = |segments: Vec<String>, line, binds| UseLeaf {
        reference: Reference { segments, line },
        binds,
    };
    match tree {
        UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            walk_use(&p.tree, prefix, out);
            prefix.pop();
        }
        UseTree::Name(n) => {
            let line = n.ident.span().start().line;
            let mut segments = prefix.clone();
            if n.ident != "self" {
                segments.push(n.ident.to_string());
            }
            let binds = segments.last().cloned();
            out.push(leaf(segments, line, binds));
        }
        UseTree::Rename(r) => {
            let mut segments = prefix.clone();
            segments.push(r.ident.to_string());
            let binds = (r.rename != "_").then(|| r.rename.to_string());
            out.push(leaf(segments, r.ident.span().start().line, binds));
        }
        UseTree::Glob(g) => {
            out.push(leaf(
                prefix.clone(),
                g.star_token.spans[0].start().line,
                None,
            ));
        }
        UseTree::Group(g) => {
            for tree in &g.items {
                walk_use(tree, prefix, out);
            }
        }
    }
}

/// Runs of `a::b::c` (at least one `::`) in a macro's tokens, groups searched too.
fn scan_tokens(tokens: TokenStream, found: &mut Vec<Reference>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            TokenTree::Group(group) => {
                scan_tokens(group.stream(), found);
                i += 1;
            }
            TokenTree::Ident(first) => {
                let mut segments = vec![first.to_string()];
                let mut line = first.span().start().line;
                let mut next = i + 1;
                while let (
                    Some(TokenTree::Punct(a)),
                    Some(TokenTree::Punct(b)),
                    Some(TokenTree::Ident(id)),
                ) = (tokens.get(next), tokens.get(next + 1), tokens.get(next + 2))
                {
                    if a.as_char() != ':' || b.as_char() != ':' {
                        break;
                    }
                    segments.push(id.to_string());
                    line = id.span().start().line;
                    next += 3;
                }
                if segments.len() > 1 {
                    found.push(Reference { segments, line });
                }
                i = next;
            }
            TokenTree::Punct(_) | TokenTree::Literal(_) => i += 1,
        }
    }
}
