#!/usr/bin/env python3
"""Structural check of a Helm chart where the helm binary cannot be installed.

helm is in none of the package registries CI reaches, so the templates are not rendered here
(their rendered defaults are kept as plain manifests beside the chart and linted by checkov).
This checks what a render would catch first: Chart.yaml's required fields, values.yaml
parses, every `.Values.x.y` a template names is defined in values.yaml, and every value is
used. Usage: check-helm-chart.py CHART_DIR...
"""
import pathlib
import re
import sys

import yaml

VALUE_REF = re.compile(r"\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")


def leaves(tree, prefix=()):
    """Every path in values.yaml; a mapping value also counts as a path (toYaml of it)."""
    if isinstance(tree, dict) and tree:
        if prefix:
            yield prefix
        for key, value in tree.items():
            yield from leaves(value, prefix + (key,))
    else:
        yield prefix


def check(chart: pathlib.Path) -> list[str]:
    problems = []
    meta = yaml.safe_load((chart / "Chart.yaml").read_text())
    for field in ("apiVersion", "name", "version"):
        if not meta.get(field):
            problems.append(f"{chart}/Chart.yaml: missing {field}")
    if meta.get("apiVersion") != "v2":
        problems.append(f"{chart}/Chart.yaml: apiVersion must be v2 (Helm 3)")
    if meta.get("name") != chart.name:
        problems.append(f"{chart}/Chart.yaml: name {meta.get('name')!r} is not the directory name")
    values = yaml.safe_load((chart / "values.yaml").read_text()) or {}
    defined = set(leaves(values))
    used = set()
    for template in sorted((chart / "templates").glob("*")):
        for match in VALUE_REF.finditer(template.read_text()):
            path = tuple(match.group(1).strip(".").split("."))
            used.add(path)
            if path not in defined:
                problems.append(f"{template}: .Values.{'.'.join(path)} is not in values.yaml")
    for path in sorted(defined - used):
        if not any(u[: len(path)] == path or path[: len(u)] == u for u in used):
            problems.append(f"{chart}/values.yaml: {'.'.join(path)} is used by no template")
    return problems


def main() -> int:
    problems = [p for chart in sys.argv[1:] for p in check(pathlib.Path(chart))]
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"helm chart structure: {len(sys.argv) - 1} chart(s), {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
