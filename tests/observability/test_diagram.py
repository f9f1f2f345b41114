"""The run diagram as SVG: drawn from the graph's own Mermaid text as the viewer colours
it, laid out in layers, with the same classes and colours, safe to inline."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES, INBOX
from wardflow.config import Settings
from wardflow.observability.diagram import (
    Flowchart,
    layout,
    parse_mermaid,
    path_mermaid,
    render_svg,
)
from wardflow.observability.viewer import _CLASSES, mermaid, run_path
from wardflow.review.payloads import ReviewDecision
from wardflow.runtime.workspace import Workspace

SVG = "{http://www.w3.org/2000/svg}"
OVER_LIMIT = "2026-10-20_hansen-maschinenbau_HM-2026-0077.pdf"
LOW_CONFIDENCE = "2026-08-21_kessler-elektrotechnik_K-2026-1530.pdf"


def _coloured(workspace: Workspace, thread: str) -> str:
    steps = run_path(workspace.state(thread).values, list(workspace.audit.records(thread)))
    return mermaid(workspace.graph.get_graph().draw_mermaid(), steps)


def _nodes(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    return {g.attrib["data-node"]: g for g in root.iter(f"{SVG}g") if "data-node" in g.attrib}


def _edges(svg: str) -> list[ET.Element]:
    return [p for p in ET.fromstring(svg).iter(f"{SVG}path")
            if "edge" in p.attrib.get("class", "").split()]


def _class_lines(text: str) -> dict[str, str]:
    found = {}
    for members, name in re.findall(r"^\s*class (\S+) (\w+)$", text, re.MULTILINE):
        for member in members.split(","):
            found[member] = name
    return found


@pytest.fixture
def approved(workspace: Workspace) -> str:
    """An over-limit invoice approved by a controller: the path goes through review."""
    [run] = list(workspace.process([INBOX / OVER_LIMIT]))
    request = workspace.pending(run.thread_id)
    workspace.resume(run.thread_id, ReviewDecision(
        decision="approve", by="dan", comment="budget approved",
        args_hash=request.proposed_action.args_hash))
    return run.thread_id


def test_the_flowchart_is_the_graph_with_the_viewers_colours(
    workspace: Workspace, approved: str
) -> None:
    text = _coloured(workspace, approved)
    chart = parse_mermaid(text)
    graph = workspace.graph.get_graph()
    assert {n.id for n in chart.nodes} == set(graph.nodes)
    assert {(e.source, e.target, e.conditional) for e in chart.edges} == {
        (e.source, e.target, e.conditional) for e in graph.edges}
    assert {n.id: n.classes[-1] for n in chart.nodes if n.classes[-1].startswith("wf")} == (
        _class_lines(text))
    assert chart.node("extract").classes == ("wfHigh",)
    assert chart.node("fail").classes == ("wfUnvisited",)
    assert chart.node("__start__").classes == ("first",)
    assert chart.node("__start__").label == "__start__"
    taken = {(e.source, e.target) for e in chart.edges if e.taken}
    assert taken == {("__start__", "ingest"), ("ingest", "guard"), ("guard", "extract"),
                     ("extract", "risk"), ("risk", "compliance"), ("compliance", "route"),
                     ("route", "review"), ("review", "post_to_erp"), ("post_to_erp", "archive"),
                     ("archive", "__end__")}
    assert chart.styles["wfHigh"] == _CLASSES["wfHigh"]


def test_the_svg_carries_the_classes_and_colours_as_attributes(
    workspace: Workspace, approved: str
) -> None:
    [low] = list(workspace.process([INBOX / LOW_CONFIDENCE]))
    for thread, expect in ((approved, {"extract": "wfHigh", "ingest": "wfVisited"}),
                           (low.thread_id, {"extract": "wfMid", "review": "wfWaiting"})):
        text = _coloured(workspace, thread)
        svg = render_svg(parse_mermaid(text), titles={"extract": "extract: 0.95 <ok>"})
        nodes = _nodes(svg)
        assert set(nodes) == set(workspace.graph.get_graph().nodes)
        for node, name in _class_lines(text).items():
            assert nodes[node].attrib["class"].split() == ["node", name]
        for node, name in expect.items():
            rect = nodes[node].find(f"{SVG}rect")
            assert rect is not None
            fill = re.search(r"fill:(#\w+)", _CLASSES[name])
            assert fill is not None and rect.attrib["fill"] == fill.group(1)
        waiting = nodes.get("review")
        assert waiting is not None
        title = nodes["extract"].find(f"{SVG}title")
        assert title is not None and title.text == "extract: 0.95 <ok>"
        # A strict CSP allows no inline styles or scripts, and nothing loads from elsewhere.
        assert "style=" not in svg and "<script" not in svg and "http://" not in svg.replace(
            'xmlns="http://www.w3.org/2000/svg"', "")
    rect = _nodes(render_svg(parse_mermaid(_coloured(workspace, low.thread_id))))["review"].find(
        f"{SVG}rect")
    assert rect is not None and rect.attrib["stroke-dasharray"] == "5 3"


def test_taken_and_conditional_edges_are_drawn_apart(workspace: Workspace, approved: str) -> None:
    chart = parse_mermaid(_coloured(workspace, approved))
    edges = _edges(render_svg(chart))
    assert len(edges) == len(chart.edges)
    taken = [e for e in edges if "taken" in e.attrib["class"].split()]
    assert len(taken) == sum(e.taken for e in chart.edges) == 10
    assert all(e.attrib["stroke"] == "#2e7d32" and e.attrib["stroke-width"] == "3" for e in taken)
    dotted = [e for e in edges if "conditional" in e.attrib["class"].split()
              and "taken" not in e.attrib["class"].split()]
    assert dotted and all(e.attrib["stroke-dasharray"] == "5 4" for e in dotted)
    markers = {m.attrib["id"] for m in ET.fromstring(render_svg(chart)).iter(f"{SVG}marker")}
    assert {re.sub(r"url\(#(.+)\)", r"\1", e.attrib["marker-end"]) for e in edges} == markers


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return abs(a[0] - b[0]) * 2 < a[2] + b[2] and abs(a[1] - b[1]) * 2 < a[3] + b[3]


def _check_layout(chart: Flowchart) -> dict[str, tuple[float, float, float, float]]:
    placed = layout(chart)
    boxes = dict(placed.boxes)
    ids = list(boxes)
    assert not [(a, b) for i, a in enumerate(ids) for b in ids[i + 1:]
                if _overlap(boxes[a], boxes[b])]
    for x, y, w, h in boxes.values():
        assert 0 <= x - w / 2 and x + w / 2 <= placed.width
        assert 0 <= y - h / 2 and y + h / 2 <= placed.height
    assert boxes["__start__"][1] < min(y for n, (_, y, _, _) in boxes.items() if n != "__start__")
    assert boxes["__end__"][1] > max(y for n, (_, y, _, _) in boxes.items() if n != "__end__")
    for edge, route in zip(chart.edges, placed.routes, strict=True):
        assert route[0] == boxes[edge.source][:2] and route[-1] == boxes[edge.target][:2]
    return boxes


def test_the_invoice_graph_is_laid_out_in_layers_with_its_loop(workspace: Workspace) -> None:
    chart = parse_mermaid(workspace.graph.get_graph().draw_mermaid())
    boxes = _check_layout(chart)
    chain = ["__start__", "ingest", "guard", "extract", "risk", "compliance", "route", "review",
             "post_to_erp", "archive", "__end__"]
    ys = [boxes[n][1] for n in chain]
    assert ys == sorted(ys) and len(set(ys)) == len(ys)
    # review -> risk closes the loop: the one edge drawn upward.
    upward = [(e.source, e.target) for e, r in zip(chart.edges, layout(chart).routes, strict=True)
              if r[-1][1] < r[0][1]]
    assert upward == [("review", "risk")]
    svg = render_svg(chart)
    loop = [e for e in _edges(svg) if e.attrib["data-source"] == e.attrib["data-target"]]
    assert [e.attrib["data-source"] for e in loop] == ["review"]


@pytest.mark.parametrize("name", ["classify-and-archive.yaml", "invoice.yaml"])
def test_blueprint_graphs_are_drawn(tmp_path: Path, name: str) -> None:
    from langgraph.checkpoint.memory import InMemorySaver

    from wardflow.graphs.blueprint import load_blueprint
    from wardflow.graphs.blueprint_graph import build_blueprint_graph
    from wardflow.observability.audit import AuditLog
    from wardflow.tools.erp import SqliteErp
    from wardflow.tools.storage import LocalStorage

    settings = Settings(home=tmp_path / "home", model="none")
    blueprint = load_blueprint(EXAMPLES / "blueprints" / name, settings)
    graph = build_blueprint_graph(
        blueprint, settings, checkpointer=InMemorySaver(), erp=SqliteErp(":memory:"),
        audit=AuditLog(":memory:"), storage=LocalStorage(settings.storage_root))
    drawing = graph.get_graph().draw_mermaid()
    chart = parse_mermaid(drawing)
    assert {n.id for n in chart.nodes} == {"__start__", "__end__", "ingest", "fail",
                                           *(s.name for s in blueprint.steps)}
    _check_layout(chart)
    assert set(_nodes(render_svg(chart))) == {n.id for n in chart.nodes}


def test_a_path_without_its_graph_is_a_chain() -> None:
    text = path_mermaid(["ingest", "classify_document", "human_review", "ingest"])
    chart = parse_mermaid(text)
    assert [(e.source, e.target) for e in chart.edges] == [
        ("__start__", "ingest"), ("ingest", "classify_document"),
        ("classify_document", "human_review"), ("human_review", "__end__")]
    boxes = _check_layout(chart)
    assert len({x for x, _, _, _ in boxes.values()}) == 1


def test_labels_and_styles_from_the_text_cannot_break_out() -> None:
    text = "\n".join([
        "graph TD;",
        '\ta("<b>x</b> & <script>alert(1)</script>")',
        "\tb(b)",
        "\ta -. &nbsp;if &lt;0.9&nbsp; .-> b;",
        "\tclassDef evil fill:url(http://example.com/x),stroke:#c62828\" onload=\"x",
        "\tclass a evil",
    ])
    chart = parse_mermaid(text)
    assert chart.node("a").label == "x & alert(1)"
    assert chart.edges[0].label == "if <0.9" and chart.edges[0].conditional
    svg = render_svg(chart, titles={"b": '"><script>'}, label='<"x">')
    root = ET.fromstring(svg)  # well-formed: every value was escaped
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "x & alert(1)" in texts and "if <0.9" in texts
    rect = _nodes(svg)["a"].find(f"{SVG}rect")
    assert rect is not None and rect.attrib["fill"] == "#f2f0ff"  # the unsafe fill was dropped
    assert "onload" not in svg and "example.com" not in svg


def test_a_chart_from_other_tools_is_read_too() -> None:
    # Front matter, subgraphs, comments and labelled solid edges are tolerated.
    text = "---\ntitle: x\n---\nflowchart TD\n%% a comment\nsubgraph s\n a[A box]\nend\n" \
           " a -- &nbsp;yes&nbsp; --> c;\n c --> d\n"
    chart = parse_mermaid(text)
    node: Any = chart.node("a")
    assert (node.label, node.shape) == ("A box", "rect")
    assert [(e.source, e.target, e.label) for e in chart.edges] == [
        ("a", "c", "yes"), ("c", "d", "")]
    assert [n.id for n in chart.nodes] == ["a", "c", "d"]
