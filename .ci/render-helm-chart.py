#!/usr/bin/env python3
"""Renders a Helm chart with its default values, for linting where helm cannot be installed.

helm is in none of the package registries CI reaches. This implements the small subset of
Go templates and Helm functions our charts use (if/else/with/define/include, quote, required,
toYaml, nindent, int, lt, fail, comments, whitespace trimming) and refuses anything else, so
a template that needs more fails here loudly instead of rendering wrong.

Usage: render-helm-chart.py CHART_DIR RELEASE NAMESPACE [--values VALUES.yaml]... [--compare MANIFESTS.yaml] > rendered.yaml
(--values: merged over values.yaml, as helm's -f does; --compare: exit 1 if the plain
manifests differ from the render in any object's spec.)
"""
import pathlib
import re
import shlex
import sys

import yaml

ACTION = re.compile(r"\{\{(-?)\s*(.*?)\s*(-?)\}\}", re.S)


class ChartError(Exception):
    pass


def tokenize(text):
    """[('text', s) | ('action', s)], with {{- and -}} whitespace trimming applied."""
    out, pos = [], 0
    for m in ACTION.finditer(text):
        before = text[pos : m.start()]
        if m.group(1):
            before = before.rstrip()
        out.append(("text", before))
        out.append(("action", m.group(2), bool(m.group(3))))
        pos = m.end()
    out.append(("text", text[pos:]))
    # Apply -}} to the following text.
    result, trim_next = [], False
    for tok in out:
        if tok[0] == "text":
            result.append(("text", tok[1].lstrip() if trim_next else tok[1]))
            trim_next = False
        else:
            result.append(("action", tok[1]))
            trim_next = tok[2]
    return result


def parse(tokens, i=0, stop=()):
    """Nodes until one of `stop`; returns (nodes, index of the stop token, its keyword)."""
    nodes = []
    while i < len(tokens):
        tok = tokens[i]
        if tok[0] == "text":
            nodes.append(("text", tok[1]))
            i += 1
            continue
        body = tok[1]
        word = body.split(None, 1)[0] if body else ""
        if body.startswith("/*"):
            i += 1
        elif word in stop:
            return nodes, i, word
        elif word in ("if", "with"):
            then, i, kw = parse(tokens, i + 1, ("else", "end"))
            other = []
            if kw == "else":
                other, i, _ = parse(tokens, i + 1, ("end",))
            nodes.append((word, body[len(word) :].strip(), then, other))
            i += 1
        elif word == "define":
            inner, i, _ = parse(tokens, i + 1, ("end",))
            nodes.append(("define", shlex.split(body)[1], inner))
            i += 1
        elif word in ("range", "template", "block", "else", "end"):
            raise ChartError(f"unsupported or misplaced template action: {{{{ {body} }}}}")
        else:
            nodes.append(("expr", body))
            i += 1
    if stop:
        raise ChartError(f"missing {{{{ end }}}} (expected one of {stop})")
    return nodes, i, None


def split_top(text, sep):
    """Splits on `sep` outside quotes and parentheses."""
    parts, depth, quote, cur = [], 0, False, ""
    for ch in text:
        if ch == '"':
            quote = not quote
        elif not quote and ch == "(":
            depth += 1
        elif not quote and ch == ")":
            depth -= 1
        if ch == sep and not quote and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [p.strip() for p in parts if p.strip()]


class Renderer:
    def __init__(self, ctx):
        self.ctx, self.defines = ctx, {}

    def lookup(self, path, dot):
        if path == ".":
            return dot
        value = self.ctx if path.startswith((".Values", ".Release", ".Chart")) else dot
        for key in path.strip(".").split("."):
            if not isinstance(value, dict) or key not in value:
                return None
            value = value[key]
        return value

    def arg(self, token, dot):
        if token.startswith("("):
            return self.pipeline(token[1:-1], dot)
        if token.startswith('"'):
            return shlex.split(token)[0]
        if re.fullmatch(r"-?\d+", token):
            return int(token)
        if token.startswith("."):
            return self.lookup(token, dot)
        raise ChartError(f"unsupported template token {token!r}")

    def call(self, words, dot, piped):
        name, args = words[0], [self.arg(w, dot) for w in words[1:]] + piped
        if name.startswith(".") or name.startswith('"') or name.startswith("("):
            return self.arg(name, dot)
        funcs = {
            "quote": lambda s: '"' + str(s).replace('"', '\\"') + '"',
            "int": int,
            "lt": lambda a, b: a < b,
            "ne": lambda a, b: a != b,
            "toYaml": lambda v: yaml.safe_dump(v, default_flow_style=False, sort_keys=False).rstrip(),
            "nindent": lambda n, s: "\n" + "\n".join(" " * n + l if l else l for l in str(s).split("\n")),
            "include": lambda n, d: self.render(self.defines[n], d),
        }
        if name == "required":
            if args[1] in (None, ""):
                raise ChartError(f"required value missing: {args[0]}")
            return args[1]
        if name == "fail":
            raise ChartError(f"fail: {args[0]}")
        if name not in funcs:
            raise ChartError(f"unsupported template function {name!r}")
        return funcs[name](*args)

    def pipeline(self, text, dot):
        value, piped = None, []
        for i, command in enumerate(split_top(text, "|")):
            words = split_top(command, " ")
            value = self.call(words, dot, piped)
            piped = [value]
        return value

    def render(self, nodes, dot):
        out = []
        for node in nodes:
            kind = node[0]
            if kind == "text":
                out.append(node[1])
            elif kind == "define":
                self.defines[node[1]] = node[2]
            elif kind == "expr":
                value = self.pipeline(node[1], dot)
                out.append("" if value is None else str(value))
            else:
                value = self.pipeline(node[1], dot)
                branch = node[2] if value not in (None, False, "", 0, {}, []) else node[3]
                out.append(self.render(branch, value if kind == "with" and branch is node[2] else dot))
        return "".join(out)


def merged(base, override):
    """`override` over `base`, mappings merged key by key (as helm merges -f files)."""
    if not (isinstance(base, dict) and isinstance(override, dict)):
        return override
    out = dict(base)
    for key, value in override.items():
        out[key] = merged(base.get(key), value)
    return out


def render_chart(chart, release, namespace, value_files=()):
    chart = pathlib.Path(chart)
    meta = yaml.safe_load((chart / "Chart.yaml").read_text())
    values = yaml.safe_load((chart / "values.yaml").read_text()) or {}
    for f in value_files:
        values = merged(values, yaml.safe_load(pathlib.Path(f).read_text()) or {})
    ctx = {
        "Values": values,
        "Release": {"Name": release, "Namespace": namespace},
        "Chart": {"Name": meta["name"], "AppVersion": meta.get("appVersion", ""), "Version": meta["version"]},
    }
    renderer = Renderer(ctx)
    templates = sorted((chart / "templates").glob("*"))
    for t in templates:  # definitions first, as helm does
        if t.name.startswith("_"):
            renderer.render(parse(tokenize(t.read_text()))[0], ctx)
    docs = []
    for t in templates:
        if t.name.startswith("_") or t.suffix not in (".yaml", ".yml"):
            continue
        text = renderer.render(parse(tokenize(t.read_text()))[0], ctx).strip()
        if text:
            docs.append(f"# Source: {chart.name}/templates/{t.name}\n{text}\n")
    return "---\n".join(docs)


def differences(rendered, plain):
    """What the plain manifests get wrong about the rendered chart: every rendered object must
    be there with the same spec, service-account settings and annotations."""
    key = lambda d: (d["kind"], d["metadata"]["name"])
    plain_docs = {key(d): d for d in yaml.safe_load_all(plain) if d}
    problems = []
    for doc in (d for d in yaml.safe_load_all(rendered) if d):
        other = plain_docs.get(key(doc))
        if other is None:
            problems.append(f"{key(doc)} is rendered by the chart but missing from the manifests")
            continue
        for field in ("spec", "automountServiceAccountToken"):
            if doc.get(field) != other.get(field):
                problems.append(f"{key(doc)}: {field} differs from the chart's render")
        if doc["metadata"].get("annotations") != other["metadata"].get("annotations"):
            problems.append(f"{key(doc)}: annotations differ from the chart's render")
    return problems


def main():
    args, value_files, plain_file = sys.argv[1:4], [], None
    options = sys.argv[4:]
    while len(options) >= 2 and options[0] in ("--values", "--compare"):
        if options[0] == "--values":
            value_files.append(options[1])
        else:
            plain_file = options[1]
        options = options[2:]
    if len(args) != 3 or options:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        rendered = render_chart(*args, value_files)
    except (ChartError, KeyError, TypeError) as e:
        print(f"render-helm-chart: {args[0]}: {e}", file=sys.stderr)
        return 1
    sys.stdout.write(rendered)
    if plain_file is not None:
        problems = differences(rendered, pathlib.Path(plain_file).read_text())
        for p in problems:
            print(f"render-helm-chart: {plain_file}: {p}", file=sys.stderr)
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
