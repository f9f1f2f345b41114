"""Tracing: spans of a real LangGraph run in the JSON-lines file, GenAI attributes,
redaction on every exporter, OTLP/HTTP to a collector on 127.0.0.1, metrics derived
from spans, and a disabled telemetry that does nothing."""

from __future__ import annotations

import json
import operator
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Annotated, Any, TypedDict

import pytest
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt

from wardflow.llm.client import Usage
from wardflow.observability.tracing import (
    DISABLED,
    Telemetry,
    guard_span,
    llm_span,
    node_span,
    record_route,
    run_span,
    setup_tracing,
    tool_span,
    trace_id_for,
)
from wardflow.observability.viewer import read_spans

IBAN = "DE27290501010080331945"
IBAN_PRINTED = "DE27 2905 0101 0080 3319 45"
CARD = "4111 1111 1111 1111"


@pytest.fixture
def telemetry(tmp_path: Path) -> Iterator[Telemetry]:
    tel = setup_tracing(jsonl_path=tmp_path / "home" / "traces.jsonl")
    yield tel
    tel.shutdown()


def _spans(tel: Telemetry) -> list[dict[str, Any]]:
    tel.force_flush()
    assert tel.jsonl_path is not None
    return [json.loads(line) for line in tel.jsonl_path.read_text().splitlines()]


# A real LangGraph graph whose nodes are wrapped the way the node wrapper will be --------
class _State(TypedDict, total=False):
    count: int
    answer: str
    seen: Annotated[list[str], operator.add]


def _traced(tel: Telemetry, name: str, fn: Any) -> Any:
    def run(state: _State, config: RunnableConfig) -> dict[str, Any]:
        configurable = config.get("configurable") or {}
        with node_span(tel, name, thread_id=configurable.get("thread_id"),
                       checkpoint_id=(configurable.get("checkpoint_map") or {}).get(""),
                       step=(config.get("metadata") or {}).get("langgraph_step")) as span:
            update: dict[str, Any] = fn(state)
            span.node_result({"status": name, **update})
            return update

    return run


def _graph(tel: Telemetry) -> Any:
    def ask(state: _State) -> dict[str, Any]:
        return {"answer": interrupt("approve?"), "seen": ["ask"]}

    def count(state: _State) -> dict[str, Any]:
        with tool_span(tel, "erp_lookup_vendor", side_effects=False) as tool:
            tool.tool_result("ok")
        return {"count": state.get("count", 0) + 1, "seen": ["count"]}

    graph: StateGraph[Any] = StateGraph(_State)
    graph.add_node("count", _traced(tel, "count", count))
    graph.add_node("ask", _traced(tel, "ask", ask))
    graph.add_node("finish", _traced(tel, "finish", lambda s: {"seen": ["finish"]}))
    graph.add_edge(START, "count")
    graph.add_edge("count", "ask")
    graph.add_edge("ask", "finish")
    graph.add_edge("finish", END)
    return graph.compile(checkpointer=InMemorySaver())


def test_a_paused_and_resumed_run_is_one_trace_findable_by_thread_id(
    telemetry: Telemetry,
) -> None:
    graph = _graph(telemetry)
    config: RunnableConfig = {"configurable": {"thread_id": "doc-42"}}
    with run_span(telemetry, "doc-42"):
        graph.invoke({"count": 0}, config)
    with run_span(telemetry, "doc-42", segment="resume"):
        assert graph.invoke(Command(resume="yes"), config)["answer"] == "yes"

    spans = _spans(telemetry)
    assert {s["trace_id"] for s in spans} == {trace_id_for("doc-42")}
    runs = [s for s in spans if s["name"] == "invoke_workflow invoice"]
    assert [r["attributes"]["wardflow.run.segment"] for r in runs] == ["start", "resume"]
    nodes = [s for s in spans if s["name"].startswith("node ")]
    assert [n["attributes"]["wardflow.node"] for n in nodes] == ["count", "ask", "ask", "finish"]
    first, resumed = runs
    assert {n["parent_id"] for n in nodes[:2]} == {first["span_id"]}
    assert {n["parent_id"] for n in nodes[2:]} == {resumed["span_id"]}
    for node in nodes:
        attrs = node["attributes"]
        assert attrs["wardflow.thread_id"] == "doc-42"
        assert isinstance(attrs["langgraph.step"], int)
        # A checkpoint id is exported verbatim, though it looks like a card number.
        assert len(attrs["langgraph.checkpoint_id"]) == 36 and "*" not in attrs[
            "langgraph.checkpoint_id"]
        assert node["duration_ms"] >= 0 and node["end_ns"] >= node["start_ns"]
    paused = nodes[1]
    assert paused["attributes"]["wardflow.outcome"] == "interrupted"
    assert paused["status"]["code"] == "UNSET"
    [tool] = [s for s in spans if s["name"] == "execute_tool erp_lookup_vendor"]
    assert tool["parent_id"] == nodes[0]["span_id"]
    assert tool["attributes"]["gen_ai.operation.name"] == "execute_tool"
    assert read_spans(telemetry.jsonl_path or Path(), thread_id="doc-42") == sorted(
        spans, key=lambda s: s["start_ns"])
    assert read_spans(telemetry.jsonl_path or Path(), thread_id="doc-other") == []


def test_node_spans_without_a_run_span_still_share_the_thread_trace(
    telemetry: Telemetry,
) -> None:
    graph = _graph(telemetry)
    graph.invoke({"count": 0}, {"configurable": {"thread_id": "api-1"}})
    nodes = [s for s in _spans(telemetry) if s["name"].startswith("node ")]
    assert len(nodes) == 2
    assert {n["trace_id"] for n in nodes} == {trace_id_for("api-1")}
    assert {n["parent_id"] for n in nodes} == {None}


def test_a_span_of_another_trace_becomes_a_link(telemetry: Telemetry) -> None:
    with telemetry.tracer.start_as_current_span("GET /review") as request:
        with node_span(telemetry, "review", thread_id="doc-7") as node:
            with telemetry.tracer.start_as_current_span("library call"):
                pass
    request_id = f"{request.get_span_context().span_id:016x}"
    spans = {s["name"]: s for s in _spans(telemetry)}
    review = spans["node review"]
    assert review["trace_id"] == trace_id_for("doc-7") == node.trace_id
    assert review["parent_id"] is None
    assert review["links"] == [{"trace_id": spans["GET /review"]["trace_id"],
                                "span_id": request_id}]
    # A span a library starts inside ours is its child.
    assert spans["library call"]["parent_id"] == review["span_id"]
    assert spans["library call"]["trace_id"] == trace_id_for("doc-7")


def test_llm_span_follows_the_genai_conventions(telemetry: Telemetry) -> None:
    usage = Usage(agent="extractor", model="local/gemma-3-270m", prompt_tokens=312,
                  completion_tokens=41, latency_ms=812.5, cost=0.0, cache_hit=False)
    with node_span(telemetry, "extract", thread_id="doc-1"):
        with llm_span(telemetry, agent="extractor", model="local/gemma-3-270m",
                      temperature=0.0, max_tokens=512, seed=0) as call:
            call.llm_usage(usage.to_dict())
    [span] = [s for s in _spans(telemetry) if s["kind"] == "CLIENT"]
    assert span["name"] == "chat local/gemma-3-270m"
    attrs = span["attributes"]
    assert attrs["gen_ai.operation.name"] == "chat"
    assert attrs["gen_ai.request.model"] == "local/gemma-3-270m"
    assert attrs["gen_ai.response.model"] == "local/gemma-3-270m"
    assert attrs["gen_ai.provider.name"] == attrs["gen_ai.system"] == "llama_cpp"
    assert attrs["gen_ai.agent.name"] == "extractor"
    # Token counts survive redaction although their names contain "token".
    assert attrs["gen_ai.usage.input_tokens"] == 312
    assert attrs["gen_ai.usage.output_tokens"] == 41
    assert attrs["gen_ai.request.max_tokens"] == 512
    assert attrs["gen_ai.request.temperature"] == 0.0
    assert attrs["wardflow.llm.latency_ms"] == 812.5
    metrics = telemetry.metrics()
    tokens = {p["attributes"]["gen_ai.token.type"]: p["sum"]
              for p in metrics["gen_ai.client.token.usage"]}
    assert tokens == {"input": 312, "output": 41}
    [duration] = metrics["gen_ai.client.operation.duration"]
    assert duration["sum"] == pytest.approx(0.8125)


def test_payment_data_and_secrets_are_masked_before_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    tel = setup_tracing(jsonl_path=tmp_path / "traces.jsonl", console=True)
    with guard_span(tel, "pii", boundary="model_output", thread_id="doc-9") as guard:
        guard.set("wardflow.guard.input", f"pay to {IBAN_PRINTED} or card {CARD}")
        guard.set("wardflow.iban", IBAN)
        guard.set("wardflow.cards", [CARD, "no number"])
        guard.set("api_key", "sk-live-123")
        guard.event("found", {"iban": IBAN})
        guard.guard_result("flagged", 0.9, findings=2)
    with pytest.raises(ValueError):
        with node_span(tel, "post_to_erp", thread_id="doc-9"):
            raise ValueError(f"ERP refused IBAN {IBAN}")
    tel.shutdown()

    exported = {"file": (tmp_path / "traces.jsonl").read_text(), "console": capsys.readouterr().err}
    for where, text in exported.items():
        assert text.count("\n") == 2, where
        for secret in (IBAN, IBAN_PRINTED, "29050101", "4111 1111", "sk-live-123"):
            assert secret not in text, (where, secret)
        # A group of the printed IBAN on its own; not digits inside a nanosecond timestamp.
        assert not re.search(r"(?<!\d)2905(?!\d)", text), where
    spans = {s["name"]: s for s in map(json.loads, exported["file"].splitlines())}
    attrs = spans["guard pii"]["attributes"]
    assert attrs["wardflow.iban"] == "DE**…1945"
    assert attrs["wardflow.guard.input"] == "pay to DE**…1945 or card ****1111"
    assert attrs["wardflow.cards"] == ["****1111", "no number"]
    assert attrs["api_key"] == "[redacted]"
    assert attrs["wardflow.guard.outcome"] == "flagged"
    assert spans["guard pii"]["events"][0]["attributes"] == {"iban": "DE**…1945"}
    failed = spans["node post_to_erp"]
    assert failed["status"]["code"] == "ERROR"
    assert failed["attributes"]["error.type"] == "ValueError"
    [event] = failed["events"]
    assert event["name"] == "exception"
    assert event["attributes"]["exception.message"] == "ERP refused IBAN DE**…1945"


class _Collector(BaseHTTPRequestHandler):
    """An OTLP/HTTP receiver: keeps each POST's path, content type and body."""

    received: list[tuple[str, str, bytes]] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, self.headers["Content-Type"], body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[tuple[str, list[tuple[str, str, bytes]]]]:
    received: list[tuple[str, str, bytes]] = []
    handler = type("Handler", (_Collector,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()
    server.server_close()


def test_otlp_http_export_reaches_a_collector(
    collector: tuple[str, list[tuple[str, str, bytes]]],
) -> None:
    from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
        ExportMetricsServiceRequest,
    )
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    endpoint, received = collector
    tel = setup_tracing(jsonl_path=None, otlp_endpoint=endpoint, service_name="wardflow-test")
    with run_span(tel, "doc-5"):
        with node_span(tel, "route", thread_id="doc-5") as node:
            node.set("wardflow.note", f"IBAN {IBAN}")
            node.node_result({"status": "routed", "decision": {"route": "review",
                                                                "reasons": ["arithmetic"]}})
    tel.shutdown()

    traces = [r for r in received if r[0] == "/v1/traces"]
    assert traces and all(r[1] == "application/x-protobuf" for r in traces)
    spans = {}
    for _, _, body in traces:
        request = ExportTraceServiceRequest.FromString(body)
        for resource_spans in request.resource_spans:
            service = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            assert service["service.name"] == "wardflow-test"
            for scope in resource_spans.scope_spans:
                spans.update({s.name: s for s in scope.spans})
    assert set(spans) == {"invoke_workflow invoice", "node route"}
    route = spans["node route"]
    assert route.trace_id.hex() == trace_id_for("doc-5")
    assert route.parent_span_id == spans["invoke_workflow invoice"].span_id
    attrs = {a.key: a.value for a in route.attributes}
    assert attrs["wardflow.note"].string_value == "IBAN DE**…1945"
    assert attrs["wardflow.route.outcome"].string_value == "review"
    metric_names = set()
    for path, _, body in received:
        if path == "/v1/metrics":
            for resource_metrics in ExportMetricsServiceRequest.FromString(body).resource_metrics:
                for scope in resource_metrics.scope_metrics:
                    metric_names |= {m.name for m in scope.metrics}
    assert {"wardflow.step.duration", "wardflow.route.outcomes"} <= metric_names


def test_metrics_are_derived_from_the_spans(telemetry: Telemetry) -> None:
    summaries = {
        "extract": {"status": "extracted", "extraction": {"confidence": 0.62,
                                                          "failed_checks": ["totals_add_up"]}},
        "risk": {"status": "assessed", "risk": {"score": 0.9, "reasons": ["duplicate"]}},
        "route": {"status": "routed", "decision": {"route": "review", "reasons": ["risk"]}},
    }
    for name, summary in summaries.items():
        with node_span(telemetry, name, thread_id="doc-3") as node:
            node.node_result(summary)
    with pytest.raises(KeyError), node_span(telemetry, "archive", thread_id="doc-3"):
        raise KeyError("storage_key")
    with node_span(telemetry, "fail", thread_id="doc-4") as node:
        node.node_result({"status": "failed", "archive_key": "failed/doc-4/reason.json"})
    record_route(telemetry, "auto", confidence=0.97, risk=0.0)

    metrics = telemetry.metrics()
    steps = {(p["attributes"]["wardflow.node"], p["attributes"]["wardflow.outcome"]): p["count"]
             for p in metrics["wardflow.step.duration"]}
    assert steps == {("extract", "ok"): 1, ("risk", "ok"): 1, ("route", "ok"): 1,
                     ("archive", "error"): 1, ("fail", "ok"): 1}
    routes = {p["attributes"]["wardflow.route"]: p["value"]
              for p in metrics["wardflow.route.outcomes"]}
    assert routes == {"review": 1, "failed": 1, "auto": 1}
    [confidence] = metrics["wardflow.extraction.confidence"]
    assert confidence["count"] == 2 and confidence["min"] == 0.62 and confidence["max"] == 0.97
    [errors] = metrics["wardflow.errors"]
    assert errors["attributes"] == {"wardflow.node": "archive", "error.type": "KeyError"}
    assert errors["value"] == 1


def test_simple_file_processor_writes_each_span_as_it_ends(tmp_path: Path) -> None:
    path = tmp_path / "traces.jsonl"
    tel = setup_tracing(jsonl_path=path, file_processor="simple")
    try:
        with node_span(tel, "ingest", thread_id="doc-8"):
            pass
        # No flush: the line is already in the file (what survives a SIGKILL).
        [line] = path.read_text().splitlines()
        assert json.loads(line)["attributes"]["wardflow.node"] == "ingest"
    finally:
        tel.shutdown()


def test_disabled_telemetry_does_nothing(tmp_path: Path) -> None:
    tel = setup_tracing(jsonl_path=None)
    assert tel is DISABLED and not tel.enabled
    scopes = {id(node_span(tel, "a", thread_id="t")), id(tool_span(tel, "x", side_effects=True)),
              id(llm_span(tel, agent="a", model="m")), id(run_span(tel, "t")),
              id(guard_span(tel, "v", boundary="document"))}
    assert len(scopes) == 1  # one shared no-op object: nothing allocated per span
    with node_span(tel, "a", thread_id="t") as span:
        span.node_result({"status": "x", "decision": {"route": "post", "reasons": []}})
        span.set("k", "v")
        span.fail("boom")
        assert not span.recording and span.trace_id is None
    record_route(tel, "auto")
    assert tel.metrics() == {}
    tel.shutdown()
    assert list(tmp_path.iterdir()) == []


def test_disabled_tracing_imports_no_opentelemetry() -> None:
    code = (
        "import sys\n"
        "from wardflow.observability.tracing import DISABLED, node_span, setup_tracing\n"
        "tel = setup_tracing(jsonl_path=None)\n"
        "with node_span(tel, 'a', thread_id='t') as s:\n"
        "    s.node_result({'status': 'ok'})\n"
        "print(any(m.startswith('opentelemetry') for m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"
