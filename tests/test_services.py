"""One factory wires every collaborator: the graphs agree on what the settings name."""

from __future__ import annotations

import ast
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import wardflow
from tests.conftest import EXAMPLES, INBOX
from wardflow.config import Settings
from wardflow.errors import ConfigError, WardflowError
from wardflow.graphs.blueprint import parse_blueprint
from wardflow.graphs.blueprint_graph import build_blueprint_graph
from wardflow.graphs.invoice import build_invoice_graph
from wardflow.services import build_services
from wardflow.testing.fake_erp import FakeErpServer
from wardflow.tools.erp import SqliteErp, load_master

CLEAN = "2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf"
LOOKUP = """
name: vendor-check
trigger:
  event: "document_uploaded"
  source: "inbox"
steps:
  - name: vendor
    type: tool
    tool: erp_lookup_vendor
    args:
      name: "Nordlicht Software GmbH"
"""


@pytest.fixture
def cloud_erp(tmp_path: Path) -> Iterator[FakeErpServer]:
    backend = SqliteErp(tmp_path / "cloud.sqlite")
    backend.import_master(load_master(EXAMPLES / "erp.json"))
    with FakeErpServer(backend) as server:
        yield server
    backend.close()


def _gets(server: FakeErpServer) -> int:
    return sum(1 for method, _ in server.requests if method == "GET")


def test_invoice_and_blueprint_graphs_resolve_the_same_erp(
    cloud_erp: FakeErpServer, tmp_path: Path
) -> None:
    settings = Settings(home=tmp_path / "home", model="none", erp_url=cloud_erp.url,
                        max_invoice_age_days=36500)
    config: Any = {"configurable": {"thread_id": "invoice-1"}}
    invoice = build_invoice_graph(settings)
    invoice.invoke({"path": str(INBOX / CLEAN), "name": CLEAN}, config)
    asked_by_invoice = _gets(cloud_erp)
    assert asked_by_invoice > 0, "the invoice graph did not ask the ERP at erp_url"

    blueprint = parse_blueprint(LOOKUP, settings)
    graph = build_blueprint_graph(blueprint, settings)
    config = {"configurable": {"thread_id": "blueprint-1"}}
    result = graph.invoke({"path": str(INBOX / CLEAN), "name": CLEAN}, config)
    # The vendor is only in the cloud ERP: the embedded one in the data home is empty.
    assert result["outputs"]["vendor"]["result"] is not None, result.get("outputs")
    assert result["outputs"]["vendor"]["result"]["id"] == "V001"
    assert _gets(cloud_erp) > asked_by_invoice


def test_services_close_only_what_the_factory_opened(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", model="none")
    erp = SqliteErp(tmp_path / "mine.sqlite")
    with build_services(settings, erp=erp) as services:
        assert services.erp is erp
        assert not services.opened("audit")  # opened on first use
        limiter = services.rate_limiter
        assert services.rate_limiter is limiter  # opened once
        assert not services.opened("tokens")  # never asked for: never opened
        services.audit.append("test.event", {"n": 1}, actor="test")
    assert erp.vendors() == []  # still open: the caller's
    with pytest.raises(sqlite3.ProgrammingError):  # the factory's: closed
        limiter.hit("x", limit=1, per_s=1)
    with pytest.raises(WardflowError, match="closed"):  # and not opened again
        services.audit.append("test.event", {"n": 2}, actor="test")
    erp.close()


def test_services_open_only_what_is_used(tmp_path: Path) -> None:
    home = tmp_path / "home"
    # A database that cannot be reached: only the stores kept there would fail.
    settings = Settings(home=home, model="none", database_url="postgresql://127.0.0.1:1/x",
                        database_retry_s=0)
    with build_services(settings) as services:
        assert services.checkpointer.get_tuple({"configurable": {"thread_id": "t"}}) is None
        with pytest.raises(ConfigError, match="WARDFLOW_DATABASE_URL"):
            services.principals.add("dan", "controller")  # kept in the database
    assert sorted(p.name for p in home.iterdir() if p.suffix == ".sqlite") == [
        "checkpoints.sqlite"]


def test_scratch_services_write_nothing_to_the_home(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with build_services(Settings(home=home, model="none"), scratch=True) as services:
        services.audit.append("test.event", {"n": 1}, actor="test")
        services.principals.add("dan", "controller")
        services.vault.tokenize("IBAN DE89370400440532013000", scope="t")
        assert services.erp.vendors() == []
    assert not (home / "erp.sqlite").exists()
    assert not (home / "audit.sqlite").exists()
    assert not (home / "review.sqlite").exists()
    assert not (home / "vault.sqlite").exists()
# Stores a collaborator of the runs is made of, besides every SqliteStore subclass.
_OTHER_STORES = {"LocalStorage", "HttpErp", "ChromaMemory", "DriftMonitor"}
# (module, store) pairs that may construct on their own, and why.
_ALLOWED = {
    # A pipeline built without a vault tokenizes into a private in-memory one.
    ("wardflow/guardrails/pipeline.py", "TokenVault"),
}


def _store_classes(trees: dict[str, ast.Module]) -> dict[str, str]:
    """Store class name -> the module that defines it."""
    bases: dict[str, tuple[str, set[str]]] = {}
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                names = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "")
                         for b in node.bases}
                bases[node.name] = (path, names)
    roots = {"SqliteStore", "PostgresStore"}
    stores = set(roots)
    grew = True
    while grew:
        found = {name for name, (_, parents) in bases.items() if parents & stores}
        grew = not found <= stores
        stores |= found
    stores |= _OTHER_STORES
    stores -= roots
    return {name: bases[name][0] for name in stores}


def test_no_store_is_constructed_outside_the_factory() -> None:
    package = Path(wardflow.__file__).parent
    root = package.parent
    trees = {str(p.relative_to(root)): ast.parse(p.read_text(), str(p))
             for p in sorted(package.rglob("*.py"))}
    stores = _store_classes(trees)
    assert {"PrincipalStore", "KillSwitch", "AuditLog", "PostgresAuditLog", "TokenVault",
            "SqliteErp", "LocalStorage"} <= set(stores)
    offenders = []
    for path, tree in trees.items():
        if path == "wardflow/services.py":
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if (name in stores and stores[name] != path and (path, name) not in _ALLOWED):
                offenders.append(f"{path}:{node.lineno}: {name}(...)")
    assert not offenders, ("stores are opened by wardflow/services.py (build_services) only;"
                           " take them from a Services instead:\n" + "\n".join(offenders))




def test_a_workspace_given_services_uses_them_and_leaves_them_open(tmp_path: Path) -> None:
    from wardflow.runtime.workspace import Workspace

    settings = Settings(home=tmp_path / "home", model="none")
    with build_services(settings) as services:
        with Workspace(settings, services=services) as ws:
            assert ws.erp is services.erp
            assert ws.principals is services.principals
            assert ws.checkpointer is services.checkpointer
        services.principals.add("dan", "controller")  # the caller's: still open
        assert [p.name for p in services.principals.all()] == ["dan"]
    with Workspace(settings) as ws:  # its own services: closed with it
        audit = ws.audit
    with pytest.raises(sqlite3.ProgrammingError):
        audit.append("test.event", {"n": 1}, actor="test")


def test_open_all_creates_the_home_stores(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with build_services(Settings(home=home, model="none")) as services:
        assert not any(home.glob("*.sqlite"))
        services.open_all()
        assert all(services.opened(name) for name in services.handles)
    assert {"audit.sqlite", "checkpoints.sqlite", "control.sqlite", "erp.sqlite",
            "ratelimit.sqlite", "review.sqlite", "vault.sqlite"} <= {
                p.name for p in home.glob("*.sqlite")}
