"""Layers point one way (issue 10): no module imports from a layer above its own, no private
helper is imported across packages, and the command layer only declares and prints."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "kehoach_docs"

#: Lowest first. A module may import from its own layer and the layers below.
LAYERS = [
    {"__init__", "text", "problems", "located", "untrusted_zip", "atomic", "crash", "user_cache", "memory"},
    # the ND30 rules table declares facts (sizes, rule numbers) that the templates, the renderer and
    # the checker all read: it sits low, though the checker beside it sits high
    {"model", "nd30.rules"},
    {"source", "starter"},
    {"results"},
    {"context"},
    {"compare"},
    {"render"},
    {"batch"},
    {"nd30", "templates_check", "pipeline", "documents", "hand_edits", "app", "many"},
    {"cli", "cli_vi", "__main__", "web"},
]


def layer_of(module: str) -> int:
    """The layer of ``module``: that of its own name where a layer names it, else of its package."""
    for name in (".".join(module.split(".")[:2]), module.split(".")[0]):
        found = [i for i, names in enumerate(LAYERS) if name in names]
        if found:
            return found[0]
    raise AssertionError(f"{module} is in no layer")


def imports():
    """(importing module, imported module, names) for every import inside the package, lazy ones too."""
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).with_suffix("")
        module = ".".join(rel.parts)
        package = rel.parts[:-1] if rel.name != "__init__" else rel.parts[:-1]
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = list(package)[: len(package) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
                yield module, target or "__init__", [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("kehoach_docs"):
                yield module, node.module.removeprefix("kehoach_docs").lstrip(".") or "__init__", \
                    [a.name for a in node.names]


def test_every_module_has_a_layer():
    for module, _, _ in imports():
        layer_of(module)


def test_no_import_climbs_a_layer():
    climbing = [(m, t) for m, t, _ in imports() if layer_of(t) > layer_of(m)]
    assert climbing == []


def test_no_private_helper_crosses_a_package():
    private = [(m, t, n) for m, t, names in imports() for n in names
               if n.startswith("_") and n != "__version__" and t.split(".")[0] != m.split(".")[0]]
    assert private == []


def test_the_command_layer_only_declares_and_prints():
    """cli.py builds no context, loads no plan and runs no job: it calls app and prints."""
    tree = ast.parse((PACKAGE / "cli.py").read_text("utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert imported <= {None, "__future__", "contextlib", "json", "sys", "pathlib", "click", "", "problems",
                        "batch.manifest", "compare.plan_diff", "nd30.check", "crash", "cli_vi", "web"}, imported
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    assert not names & {"load_plan", "plan_context", "report_context", "run_jobs", "jobs_for", "Freshness"}
