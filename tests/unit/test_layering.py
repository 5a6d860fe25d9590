"""The house's layering (ENGINEERING.md, "The shape"): the adapters parse, call a service and
render — no view module imports the tables or runs a query, and the callback does not reach into
the outbox's delivery; services return data, never an API URL; wechatpy only in app/wechat/; and
no import cycles, whichever module a process imports first."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ADAPTERS = sorted(p for folder in ("handlers", "miniprogram_api", "app/h5") for p in (ROOT / folder).glob("*.py"))
PACKAGES = ("app", "handlers", "miniprogram_api")
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


@pytest.mark.parametrize("path", ADAPTERS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_adapter_imports_the_tables_or_runs_a_query(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert [m for m in imported_modules(tree) if m == "app.models" or m.startswith("app.models.")] == []
    assert list(database_calls(tree)) == []


@pytest.mark.parametrize("path", [p for p in ADAPTERS if p.parent.name == "handlers"], ids=lambda p: p.name)
def test_the_callback_does_not_import_the_outbox_delivery(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert "app.notify.delivery" not in set(imported_modules(tree))


@pytest.mark.parametrize("path", sorted((ROOT / "app/services").glob("*.py")), ids=lambda p: p.name)
def test_no_service_returns_an_api_url(path):
    # Paths of the API belong to its adapter; a service that builds one knows HTTP.
    strings = [n.value for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
               if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    assert [s for s in strings if s.startswith("/api/")] == []


def test_wechatpy_is_imported_only_in_app_wechat():
    offenders = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if path.is_relative_to(ROOT / "app/wechat"):
                continue
            modules = imported_modules(ast.parse(path.read_bytes()))
            if any(m == "wechatpy" or m.startswith("wechatpy.") for m in modules):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


@pytest.mark.parametrize("module", ["app", "handlers.callback", "handlers.routes", "miniprogram_api",
                                    "miniprogram_api.activities", "app.h5.scan", "app.errorhandlers"])
def test_each_entry_point_imports_first_without_a_cycle(module):
    # A fresh interpreter that imports this module before anything else of ours.
    result = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
