"""Malformed input at every entry point, in-process: every input ends as a clear
error, a parked run, a review or a refusal; never an uncaught exception or a 500.

- documents through the workspace (what ``wardflow process`` runs): byte-level
  mutations of the example PDFs, PNG and e-mail (bit flips, truncation, splices,
  inserted and repeated chunks), seeded so that a failure reproduces;
- blueprints through validation and compilation (what ``blueprint validate`` and
  ``blueprint graph`` run): line-level mutations of the example blueprints;
- prompts through the planner;
- JSON bodies through the login, decision, chat, runs and Slack endpoints of a live
  server on 127.0.0.1.

The number of inputs per entry point is in ``COUNTS``; ``tests/security/test_fuzz_model_answers.py``
covers the model's answers.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import EXAMPLES, INBOX
from wardflow.config import Settings
from wardflow.errors import WardflowError
from wardflow.runtime.workspace import Workspace

COUNTS = {"documents": 300, "blueprints": 400, "prompts": 400, "api_bodies": 480}
_FUZZ = settings(deadline=None, derandomize=True, database=None,
                 suppress_health_check=[HealthCheck.too_slow,
                                        HealthCheck.function_scoped_fixture])
_STATUSES = {"posted", "awaiting_review", "failed", "rejected", "dead_letter", "archived"}


# Documents ---------------------------------------------------------------------------
def _mutate(data: bytes, rng: random.Random, donors: list[bytes]) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(6)
        at = rng.randrange(max(len(out), 1))
        if kind == 0:  # bit flips
            for _ in range(rng.randint(1, 16)):
                i = rng.randrange(max(len(out), 1))
                if out:
                    out[i] ^= 1 << rng.randrange(8)
        elif kind == 1:  # truncation
            out = out[: rng.randrange(max(len(out), 1))]
        elif kind == 2:  # random bytes inserted
            out[at:at] = rng.randbytes(rng.randint(1, 64))
        elif kind == 3:  # a chunk repeated (deep nesting, repeated objects)
            end = min(len(out), at + rng.randint(1, 512))
            out[at:at] = bytes(out[at:end]) * rng.randint(2, 20)
        elif kind == 4:  # spliced with another document
            donor = rng.choice(donors)
            cut = rng.randrange(max(len(donor), 1))
            out = out[:at] + bytearray(donor[cut:cut + rng.randint(1, 4096)])
        else:  # interesting values over numbers (lengths, counts, sizes)
            for token in (b"/Length ", b"/Count ", b"/Size ", b"Content-Length: "):
                i = out.find(token)
                if i >= 0:
                    value = rng.choice([b"0", b"-1", b"99999999999", b"1e9", b"NaN"])
                    out[i + len(token):i + len(token)] = value + b" "
    return bytes(out)


@pytest.fixture
def fuzz_workspace(tmp_path: Path, clock: Callable[[], datetime]) -> Iterator[Workspace]:
    from wardflow.tools.erp import load_master

    with Workspace(Settings(home=tmp_path / "home", model="none", memory="none"),
                   clock=clock) as ws:
        ws.erp.import_master(load_master(EXAMPLES / "erp.json"))
        yield ws


def test_mutated_documents_end_as_runs_or_clear_errors(fuzz_workspace: Workspace,
                                                         tmp_path: Path) -> None:
    rng = random.Random(14)
    pdfs = sorted(INBOX.glob("*.pdf"))
    sources = [*pdfs, *INBOX.glob("*.eml"), *INBOX.glob("*.png")]
    donors = [p.read_bytes() for p in sources]
    folder = tmp_path / "fuzzed"
    folder.mkdir()
    outcomes: dict[str, int] = {}
    for n in range(COUNTS["documents"]):
        # PDFs mostly: an image that still decodes goes through OCR (seconds a page).
        source = rng.choice(pdfs) if n % 40 else rng.choice(sources)
        name = f"{n:04d}{source.suffix}"
        (folder / name).write_bytes(_mutate(source.read_bytes(), rng, donors))
    for item in fuzz_workspace.items([folder]):
        summary = fuzz_workspace.process_item(item)
        assert summary.error is None or not summary.error.startswith("internal error"), (
            item.source, summary.error)
        assert summary.status in _STATUSES, (item.source, summary)
        if summary.status == "failed":
            values = fuzz_workspace.state(summary.thread_id).values
            assert values["error"]["reason"], (item.source, values["error"])
        outcomes[summary.status] = outcomes.get(summary.status, 0) + 1
    assert sum(outcomes.values()) == COUNTS["documents"], outcomes


# Blueprints --------------------------------------------------------------------------
_BLUEPRINTS = [p.read_text() for p in sorted((EXAMPLES / "blueprints").glob("*.yaml"))]
_ODD = st.sampled_from([
    "", "~", "null", "[]", "{}", "- - -", "&a [*a]", "!!python/object:os.system ls",
    "*undefined", "'unterminated", "1e999", "-1", "0", "99999999999999999999", "NaN",
    "confidence < 0.9 and (", "__import__('os')", "{{ 7*7 }}", "${HOME}", "../../etc/passwd",
    "\x00", "\t", "a" * 500, "steps:", "trigger: {event: cron, schedule: '61 25 * * *'}",
    "required_if: amount >>> 5", "type: tool", "type: agent", "approvers: -3",
])


@st.composite
def _blueprint_texts(draw: st.DrawFn) -> str:
    lines = draw(st.sampled_from(_BLUEPRINTS)).splitlines()
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            lines.append("")
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.integers(0, 4))
        if op == 0:
            del lines[i]
        elif op == 1:
            lines.insert(i, draw(_ODD))
        elif op == 2 and ":" in lines[i]:
            key = lines[i].split(":", 1)[0]
            lines[i] = f"{key}: {draw(st.one_of(_ODD, st.text(max_size=20)))}"
        elif op == 3:
            lines[i] = lines[i] * draw(st.integers(2, 3))
        else:
            lines.insert(i, lines[draw(st.integers(0, len(lines) - 1))])
    return "\n".join(lines)


@settings(_FUZZ, max_examples=COUNTS["blueprints"])
@given(text=_blueprint_texts())
def test_mutated_blueprints_validate_or_list_their_problems(text: str) -> None:
    from langgraph.checkpoint.memory import InMemorySaver

    from wardflow.graphs.blueprint import BlueprintError, parse_blueprint
    from wardflow.graphs.blueprint_graph import build_blueprint_graph
    from wardflow.observability.audit import AuditLog
    from wardflow.tools.erp import SqliteErp
    from wardflow.tools.storage import LocalStorage

    cfg = Settings(home=Path("/nonexistent-wardflow-fuzz"), model="none")
    try:
        blueprint = parse_blueprint(text, cfg)
    except BlueprintError as err:
        assert err.problems and all(p.reason for p in err.problems)
        return
    # A blueprint that validates also compiles.
    build_blueprint_graph(blueprint, cfg, checkpointer=InMemorySaver(),
                          erp=SqliteErp(":memory:"), audit=AuditLog(":memory:"),
                          storage=LocalStorage(Path("/nonexistent-wardflow-fuzz/storage")))


# Prompts -----------------------------------------------------------------------------
_PROMPT_PARTS = st.sampled_from([
    "process the invoices in", "examples/inbox", "inbox", "../", "/etc/passwd", ".env",
    ".wardflow/review.sqlite", "over", "under", "above", "900,000,000 EUR", "-5 EUR",
    "1e999 USD", "NaN EUR", "10.000,00 €", "hold anything over", "for approval", "and",
    "only the Nordlicht invoices", "from 2026-13-45", "ignore previous instructions",
    "approve everything", "pay", "delete", "\x00", "\u202e", "; rm -rf /", "${HOME}",
    "~", "*", "**/*.pdf", "\n", "📄", "a" * 300,
])


@settings(_FUZZ, max_examples=COUNTS["prompts"])
@given(prompt=st.one_of(st.lists(_PROMPT_PARTS, min_size=1, max_size=8).map(" ".join),
                        st.text(max_size=300)))
def test_any_prompt_is_planned_or_refused(prompt: str) -> None:
    from wardflow.agents.planner import plan_request

    try:
        plan = plan_request(prompt, workdir=Path.cwd(), default_currency="EUR")
    except WardflowError:
        return  # a typed refusal
    assert plan.refused or plan.action is not None


# API bodies --------------------------------------------------------------------------
_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
              st.text(max_size=40), st.sampled_from(["approve", "reject", "dan", "x" * 5000])),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=12,
)
_FIELDS = ("principal", "password", "decision", "comment", "proposal_hash", "corrections",
           "message", "prompt", "path", "approval_limit", "by", "hash")


@st.composite
def _bodies(draw: st.DrawFn) -> bytes:
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return draw(st.binary(max_size=200))
    if kind == 1:
        return json.dumps(draw(_JSON)).encode()
    body = draw(st.dictionaries(st.sampled_from(_FIELDS), _JSON, max_size=5))
    return json.dumps(body).encode()


def test_api_bodies_get_a_clear_answer(fuzz_server: Any) -> None:
    client, tokens, thread = fuzz_server
    paths = ["/api/login", f"/api/cases/{thread}/decision", f"/api/cases/{thread}/chat",
             "/runs", "/api/slack/actions", "/events/s3"]
    seen: dict[int, int] = {}

    @settings(_FUZZ, max_examples=COUNTS["api_bodies"])
    @given(path=st.sampled_from(paths), body=_bodies(), who=st.sampled_from(sorted(tokens)))
    def post(path: str, body: bytes, who: str) -> None:
        headers = {"Authorization": f"Bearer {tokens[who]}",
                   "Content-Type": "application/json"}
        if path == "/api/slack/actions":
            from wardflow.web.slack import sign_request

            stamp = str(int(time.time()))
            form = b"payload=" + body
            headers = {"Content-Type": "application/x-www-form-urlencoded",
                       "X-Slack-Request-Timestamp": stamp,
                       "X-Slack-Signature": sign_request(_SLACK, stamp, form)}
            body = form
        response = client.post(path, content=body, headers=headers)
        seen[response.status_code] = seen.get(response.status_code, 0) + 1
        assert response.status_code < 500, (path, body[:200], response.text[:500])
        if response.status_code >= 400:
            assert response.text  # a reason, not an empty error

    post()
    assert sum(seen.values()) == COUNTS["api_bodies"], seen


_SLACK = "slack-signing-secret-for-fuzzing"


@pytest.fixture
def fuzz_server(settings: Settings, clock: Callable[[], datetime]
                ) -> Iterator[tuple[Any, dict[str, str], str]]:
    import httpx

    from tests.conftest import add_reviewers
    from tests.web.conftest import start_server
    from wardflow.review.tokens import TokenStore
    from wardflow.tools.erp import load_master
    from wardflow.web import CredentialStore, create_app

    with Workspace(settings, clock=clock) as ws:
        ws.erp.import_master(load_master(EXAMPLES / "erp.json"))
        add_reviewers(ws.principals)
        [run] = ws.process([INBOX / "2026-09-15_vanderberg-logistics_VDB-26-08841.pdf"],
                           submitted_by="sam")
        assert run.waiting_for_review
        credentials = CredentialStore(settings.review_path)
        for name in ("dan", "cleo"):
            credentials.set_password(ws.principals, name, f"{name}-fuzz-password-1234")
        credentials.close()
        store = TokenStore(settings.review_path)
        tokens = {name: store.create(ws.principals, name, name="fuzz", expires_days=1,
                                     by="admin", audit=ws.audit)[0]
                  for name in ("dan", "cleo", "ada")}
        store.close()
    app = create_app(settings, workspace_factory=lambda: Workspace(settings, clock=clock),
                     secret="fuzz-signing-key-0123456789abcdef", slack_signing_secret=_SLACK)
    uv, thread, port = start_server(app)
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
        yield client, tokens, run.thread_id
    uv.should_exit = True
    thread.join(timeout=30)
