"""The adapters parse, call a service and render: no view module imports the tables or runs a
query, and the callback does not reach into the outbox's delivery (ENGINEERING.md, "The shape")."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ADAPTERS = sorted(p for folder in ("handlers", "miniprogram_api") for p in (ROOT / folder).glob("*.py"))
# Calls on the database session that read or write rows (db.session.rollback after a failure is not one).
QUERIES = {"select", "execute", "get", "scalar", "scalars", "query", "add", "delete", "flush", "commit"}


def imported_modules(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def database_calls(tree):
    """db.select(…), db.session.execute(…) and the like, as "db.select", "db.session.execute"."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in QUERIES:
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id == "db":
                yield f"db.{node.attr}"
            elif (isinstance(owner, ast.Attribute) and owner.attr == "session"
                  and isinstance(owner.value, ast.Name) and owner.value.id == "db"):
                yield f"db.session.{node.attr}"


@pytest.mark.parametrize("path", ADAPTERS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_adapter_imports_the_tables_or_runs_a_query(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert [m for m in imported_modules(tree) if m == "app.models" or m.startswith("app.models.")] == []
    assert list(database_calls(tree)) == []


@pytest.mark.parametrize("path", [p for p in ADAPTERS if p.parent.name == "handlers"], ids=lambda p: p.name)
def test_the_callback_does_not_import_the_outbox_delivery(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert "app.notify.delivery" not in set(imported_modules(tree))
