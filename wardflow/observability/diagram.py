"""A coloured run diagram as inline SVG, drawn by wardflow itself.

The web pages load nothing from elsewhere, so Mermaid.js cannot draw the run's Mermaid
text (:func:`wardflow.observability.viewer.mermaid`) in the browser. This module reads
the subset of Mermaid that LangGraph's ``draw_mermaid()`` and the viewer write (nodes,
solid and dotted edges, ``classDef``, ``class`` and ``linkStyle`` lines), lays the graph
out in layers (top down, cycles drawn as back edges) and writes SVG whose nodes carry the
same classes (``wfHigh``, ``wfMid``, ...) and colours as the Mermaid text, so the two
can never disagree. Colours are SVG presentation attributes, not ``style``, so a strict
Content-Security-Policy (no inline styles) still shows them.

Pure functions only: no web framework, no LangGraph.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape, unescape
from typing import Final

__all__ = ["Edge", "Flowchart", "Layout", "Node", "layout", "parse_mermaid", "path_mermaid",
           "render_svg"]

_NODE = re.compile(r"^([A-Za-z_][\w-]*)(\(\[|\[\[|\(\(|\[\(|\(|\[|\{)(.*?)(\]\)|\]\]|\)\)|\)\]|\)|\]|\})"
                   r"(?::::([\w-]+))?;?$")
_EDGE = re.compile(r"^([A-Za-z_][\w-]*)\s+(-->|==>|-\.->|--\s.*?\s-->|-\.\s.*?\s\.->|==\s.*?\s==>)"
                   r"\s*([A-Za-z_][\w-]*);?$")
_CLASS = re.compile(r"^class\s+([\w,-]+)\s+([\w-]+);?$")
_CLASSDEF = re.compile(r"^classDef\s+([\w-]+)\s+(.+?);?$")
_LINKSTYLE = re.compile(r"^linkStyle\s+([\d,]+)\s+(.+?);?$")
_TAG = re.compile(r"<[^>]*>")

# Sizes in SVG user units (pixels at 100 %).
_FONT: Final = 13
_CHAR_W: Final = 7.4
_NODE_H: Final = 34
_PAD_X: Final = 16
_GAP_X: Final = 26
_GAP_Y: Final = 54
_MARGIN: Final = 16
_DUMMY_W: Final = 14
_INK: Final = "#333333"
_EDGE_INK: Final = "#8a8f98"


@dataclass(frozen=True)
class Node:
    """A node of the flowchart; ``classes`` in the order Mermaid applies them."""

    id: str
    label: str
    shape: str = "round"
    classes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Edge:
    """A directed edge; ``style`` is its ``linkStyle`` (the viewer's taken path)."""

    source: str
    target: str
    conditional: bool = False
    label: str = ""
    style: str = ""

    @property
    def taken(self) -> bool:
        return bool(self.style)


@dataclass(frozen=True)
class Flowchart:
    """What the SVG is drawn from: nodes, edges in Mermaid's order, class styles."""

    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    styles: Mapping[str, str] = field(default_factory=dict)

    def node(self, node_id: str) -> Node:
        return next(n for n in self.nodes if n.id == node_id)


@dataclass(frozen=True)
class Layout:
    """Node boxes (centre x, centre y, width, height) and each edge's polyline."""

    boxes: Mapping[str, tuple[float, float, float, float]]
    routes: tuple[tuple[tuple[float, float], ...], ...]
    width: float
    height: float


def parse_mermaid(text: str) -> Flowchart:
    """Read a LangGraph flowchart, as coloured by ``viewer.mermaid``.

    Lines outside the subset (front matter, ``graph TD``, ``subgraph``/``end``, comments)
    are skipped; a node that only appears in an edge is added with its id as label.
    """
    nodes: dict[str, Node] = {}
    edges: list[Edge] = []
    styles: dict[str, str] = {}
    extra: dict[str, list[str]] = {}
    link_styles: dict[int, str] = {}
    for raw in _body(text):
        line = raw.strip()
        if m := _EDGE.match(line):
            arrow = m.group(2)
            label = re.sub(r"^[-=.]+\s*|\s*[-=.]+>$", "", arrow) if " " in arrow else ""
            edges.append(Edge(m.group(1), m.group(3), conditional=arrow.startswith("-."),
                              label=_plain(label)))
        elif m := _CLASSDEF.match(line):
            styles[m.group(1)] = m.group(2).strip()
        elif m := _CLASS.match(line):
            for member in m.group(1).split(","):
                extra.setdefault(member, []).append(m.group(2))
        elif m := _LINKSTYLE.match(line):
            for index in m.group(1).split(","):
                link_styles[int(index)] = m.group(2).strip()
        elif m := _NODE.match(line):
            node_id, opening = m.group(1), m.group(2)
            shape = {"([": "stadium", "[": "rect", "{": "rhombus", "((": "circle"}.get(
                opening, "round")
            inline = (m.group(5),) if m.group(5) else ()
            nodes[node_id] = Node(node_id, _plain(m.group(3)) or node_id, shape, inline)
    for edge in edges:
        for end in (edge.source, edge.target):
            nodes.setdefault(end, Node(end, end))
    final = tuple(Node(n.id, n.label, n.shape, (*n.classes, *extra.get(n.id, ())))
                  for n in nodes.values())
    styled = tuple(Edge(e.source, e.target, e.conditional, e.label, link_styles.get(i, ""))
                   for i, e in enumerate(edges))
    return Flowchart(final, styled, styles)


def _body(text: str) -> list[str]:
    """The lines after the YAML front matter, if there is one."""
    lines = text.splitlines()
    if lines and lines[0].strip() == "---":
        closing = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), 0)
        lines = lines[closing + 1:]
    return lines


def _plain(label: str) -> str:
    """A Mermaid label as plain text (``<p>__start__</p>`` -> ``__start__``)."""
    return " ".join(unescape(_TAG.sub(" ", label.strip().strip('"'))).split())


def path_mermaid(nodes: Sequence[str]) -> str:
    """A LangGraph-style drawing of a plain path ``start -> nodes... -> end``.

    For a run whose graph the server cannot rebuild (a blueprint run): colour it with
    ``viewer.mermaid`` like any graph drawing.
    """
    order = list(dict.fromkeys(n for n in nodes if n not in ("__start__", "__end__")))
    lines = ["graph TD;", "\t__start__([<p>__start__</p>]):::first"]
    lines += [f"\t{n}({n})" for n in order]
    lines.append("\t__end__([<p>__end__</p>]):::last")
    chain = ["__start__", *order, "__end__"]
    lines += [f"\t{a} --> {b};" for a, b in zip(chain, chain[1:], strict=False)]
    return "\n".join(lines) + "\n"


def _size(node: Node) -> tuple[float, float]:
    if node.id in ("__start__", "__end__"):
        return 64.0, 28.0
    return max(72.0, len(node.label) * _CHAR_W + 2 * _PAD_X), float(_NODE_H)


def _label(node: Node) -> str:
    return {"__start__": "start", "__end__": "end"}.get(node.id, node.label)


def _feedback(chart: Flowchart) -> set[int]:
    """Indices of the edges that close a cycle (found depth first from the sources)."""
    out: dict[str, list[tuple[int, str]]] = {n.id: [] for n in chart.nodes}
    for i, e in enumerate(chart.edges):
        if e.source != e.target:
            out[e.source].append((i, e.target))
    has_in = {e.target for e in chart.edges if e.source != e.target}
    roots = [n.id for n in chart.nodes if n.id not in has_in] + [n.id for n in chart.nodes]
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    back: set[int] = set()
    for root in roots:
        if root in state:
            continue
        stack = [(root, iter(out[root]))]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            step = next(children, None)
            if step is None:
                state[node] = 2
                stack.pop()
                continue
            index, child = step
            if state.get(child) == 1:
                back.add(index)
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(out[child])))
    return back


def _layers(chart: Flowchart, back: set[int]) -> dict[str, int]:
    """Longest-path layering of the graph with its back edges turned round."""
    ids = [n.id for n in chart.nodes]
    preds: dict[str, list[str]] = {n: [] for n in ids}
    for i, e in enumerate(chart.edges):
        if e.source == e.target:
            continue
        a, b = (e.target, e.source) if i in back else (e.source, e.target)
        preds[b].append(a)
    layer: dict[str, int] = {}

    def depth(node: str, seen: frozenset[str]) -> int:
        if node not in layer:
            layer[node] = 1 + max((depth(p, seen | {node}) for p in preds[node]
                                   if p not in seen), default=-1)
        return layer[node]

    for node in ids:
        depth(node, frozenset())
    return layer


def layout(chart: Flowchart) -> Layout:
    """Layered top-down layout: layers by longest path, order by barycentre sweeps,
    long edges routed through invisible points so they bend around nodes."""
    back = _feedback(chart)
    rank = _layers(chart, back)
    rows: list[list[str]] = [[] for _ in range(max(rank.values(), default=0) + 1)]
    for node in chart.nodes:
        rows[rank[node.id]].append(node.id)
    widths = {n.id: _size(n)[0] for n in chart.nodes}
    chains: list[list[str]] = []  # each edge as a vertex chain, top to bottom
    for i, e in enumerate(chart.edges):
        a, b = (e.target, e.source) if i in back else (e.source, e.target)
        chain = [a]
        for r in range(rank[a] + 1, rank[b]):
            dummy = f"\0{i}:{r}"
            rows[r].append(dummy)
            widths[dummy] = _DUMMY_W
            chain.append(dummy)
        chains.append([*chain, b] if a != b else [a])
    up: dict[str, list[str]] = {}
    down: dict[str, list[str]] = {}
    for chain in chains:
        for a, b in zip(chain, chain[1:], strict=False):
            down.setdefault(a, []).append(b)
            up.setdefault(b, []).append(a)
    _order(rows, up, down)
    xs = _place(rows, widths, up, down)
    heights = {n.id: _size(n)[1] for n in chart.nodes}
    ys = {v: _MARGIN + r * (_NODE_H + _GAP_Y) + _NODE_H / 2 for r, row in enumerate(rows)
          for v in row}
    left = min((xs[v] - widths[v] / 2 for v in xs), default=0.0)
    shift = _MARGIN - left
    boxes = {n.id: (xs[n.id] + shift, ys[n.id], widths[n.id], heights[n.id])
             for n in chart.nodes}
    routes = []
    for i, chain in enumerate(chains):
        points = [(xs[v] + shift, ys[v]) for v in chain]
        routes.append(tuple(reversed(points)) if i in back else tuple(points))
    width = max((x + w / 2 for x, _, w, _ in boxes.values()), default=0.0) + _MARGIN + 40
    height = len(rows) * (_NODE_H + _GAP_Y) - _GAP_Y + 2 * _MARGIN
    return Layout(boxes, tuple(routes), width, height)


def _order(rows: list[list[str]], up: Mapping[str, list[str]],
           down: Mapping[str, list[str]]) -> None:
    """Reorder each row by the mean position of its neighbours (a few sweeps)."""
    for sweep in range(8):
        ordered = range(1, len(rows)) if sweep % 2 == 0 else range(len(rows) - 2, -1, -1)
        for r in ordered:
            near = rows[r - 1] if sweep % 2 == 0 else rows[r + 1]
            links = up if sweep % 2 == 0 else down
            where = {v: i for i, v in enumerate(near)}
            current = {v: i for i, v in enumerate(rows[r])}

            def centre(v: str, where: dict[str, int] = where,
                       current: dict[str, int] = current,
                       links: Mapping[str, list[str]] = links) -> float:
                seen = [where[u] for u in links.get(v, ()) if u in where]
                return sum(seen) / len(seen) if seen else float(current[v])

            rows[r].sort(key=centre)


def _place(rows: list[list[str]], widths: Mapping[str, float],
           up: Mapping[str, list[str]], down: Mapping[str, list[str]]) -> dict[str, float]:
    """Centre x of every vertex: packed rows, then pulled toward their neighbours."""
    xs: dict[str, float] = {}
    for row in rows:
        x = 0.0
        for v in row:
            xs[v] = x + widths[v] / 2
            x += widths[v] + _GAP_X
        span = x - _GAP_X
        for v in row:
            xs[v] -= span / 2
    for sweep in range(12):
        for row in rows:
            links = up if sweep % 2 == 0 else down
            wanted = []
            for v in row:
                near = [u for u in links.get(v, ()) if u in xs]
                # A node follows the nodes it joins, not the bends of passing edges.
                real = [u for u in near if not u.startswith("\0")]
                near = real if real and not v.startswith("\0") else near
                wanted.append(sum(xs[u] for u in near) / len(near) if near else xs[v])
            _fit(row, wanted, widths, xs)
    return xs


def _fit(row: list[str], wanted: list[float], widths: Mapping[str, float],
         xs: dict[str, float]) -> None:
    """Put a row's vertices as near ``wanted`` as their order and spacing allow."""
    gap = [(widths[a] + widths[b]) / 2 + _GAP_X for a, b in zip(row, row[1:], strict=False)]
    placed = list(wanted)
    for i in range(1, len(row)):  # push right past the left neighbour
        placed[i] = max(placed[i], placed[i - 1] + gap[i - 1])
    pushed = sum(p - w for p, w in zip(placed, wanted, strict=True)) / max(1, len(row))
    placed = [p - pushed for p in placed]
    for i in range(1, len(row)):
        placed[i] = max(placed[i], placed[i - 1] + gap[i - 1])
    for v, x in zip(row, placed, strict=True):
        xs[v] = x


# SVG ------------------------------------------------------------------------------------

_PRESENTATION: Final = {"fill": "fill", "stroke": "stroke", "stroke-width": "stroke-width",
                        "stroke-dasharray": "stroke-dasharray", "fill-opacity": "fill-opacity",
                        "color": "color"}
_SAFE_VALUE = re.compile(r"^[#\w.%\s-]+$")


def _style(styles: Mapping[str, str], names: Sequence[str]) -> dict[str, str]:
    """Mermaid ``classDef`` declarations, merged in order, as SVG attributes."""
    merged: dict[str, str] = {}
    for name in names:
        for declaration in styles.get(name, "").split(","):
            key, _, value = declaration.partition(":")
            key, value = key.strip(), value.strip()
            if key in _PRESENTATION and _SAFE_VALUE.match(value):
                merged[_PRESENTATION[key]] = value.removesuffix("px")
    return merged


def _attrs(values: Mapping[str, str | float]) -> str:
    return "".join(f' {k}="{escape(_num(v) if isinstance(v, float) else v)}"'
                   for k, v in values.items())


def _num(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def render_svg(chart: Flowchart, *, titles: Mapping[str, str] | None = None,
               id_prefix: str = "wf", label: str = "run diagram") -> str:
    """The flowchart as a standalone ``<svg>`` element.

    Each node is a ``<g class="node CLASSES" data-node="ID">`` (its classes as in the
    Mermaid text); each edge a ``<path class="edge">`` (``conditional`` dotted,
    ``taken`` in its ``linkStyle`` colour).

    Args:
        titles: tooltip text per node id (shown by browsers on hover).
        id_prefix: prefix of the arrowhead marker ids, unique per page.
        label: the image's accessible name.
    """
    titles = titles or {}
    placed = layout(chart)
    markers: dict[str, str] = {}
    parts: list[str] = []
    for edge, route in zip(chart.edges, placed.routes, strict=True):
        attrs = _style({"e": edge.style}, ["e"])
        colour = attrs.get("stroke", _EDGE_INK)
        marker = markers.setdefault(colour, f"{id_prefix}-arrow-{len(markers)}")
        classes = "edge" + (" conditional" if edge.conditional else "") + (
            " taken" if edge.taken else "")
        shape = {"fill": "none", "stroke": colour,
                 "stroke-width": attrs.get("stroke-width", "1.5"),
                 **({"stroke-dasharray": "5 4"} if edge.conditional and not edge.taken else {})}
        path = _self_loop(placed.boxes[edge.source]) if edge.source == edge.target else _curve(
            route, placed.boxes[edge.source], placed.boxes[edge.target])
        parts.append(f'<path class="{classes}" data-source="{escape(edge.source)}"'
                     f' data-target="{escape(edge.target)}" d="{path}"{_attrs(shape)}'
                     f' marker-end="url(#{marker})"/>')
        if edge.label and len(route) >= 2:
            x, y = route[len(route) // 2]
            parts.append(f'<text class="edge-label" x="{_num(x + 4)}" y="{_num(y)}"'
                         f' font-size="11" fill="{_INK}">{escape(edge.label)}</text>')
    for node in chart.nodes:
        parts.append(_node_svg(node, placed.boxes[node.id], _style(
            chart.styles, ["default", *node.classes]), titles.get(node.id)))
    defs = "".join(
        f'<marker id="{escape(mid)}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9"'
        f' markerHeight="9" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{escape(c)}"/>'
        f"</marker>" for c, mid in markers.items())
    w, h = _num(placed.width), _num(placed.height)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="wf-diagram" width="{w}"'
            f' height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="{escape(label)}"'
            f' font-family="system-ui, sans-serif" font-size="{_FONT}">'
            f"<defs>{defs}</defs>{''.join(parts)}</svg>")


def _node_svg(node: Node, box: tuple[float, float, float, float], style: Mapping[str, str],
              title: str | None) -> str:
    x, y, w, h = box
    text_fill = style.get("color", _INK)
    shape = {"fill": style.get("fill", "#f2f0ff"), "stroke": style.get("stroke", "#9370db"),
             "stroke-width": style.get("stroke-width", "1"),
             **{k: style[k] for k in ("stroke-dasharray", "fill-opacity") if k in style}}
    radius = h / 2 if node.shape in ("stadium", "circle") else 0 if node.shape == "rect" else 6
    classes = " ".join(("node", *node.classes))
    tooltip = f"<title>{escape(title)}</title>" if title else ""
    return (f'<g class="{escape(classes)}" data-node="{escape(node.id)}">{tooltip}'
            f'<rect x="{_num(x - w / 2)}" y="{_num(y - h / 2)}" width="{_num(w)}"'
            f' height="{_num(h)}" rx="{_num(radius)}"{_attrs(shape)}/>'
            f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="middle" dominant-baseline="central"'
            f' fill="{escape(text_fill)}">{escape(_label(node))}</text></g>')


def _curve(route: Sequence[tuple[float, float]], source: tuple[float, float, float, float],
           target: tuple[float, float, float, float]) -> str:
    """A smooth path along ``route``, leaving and entering the boxes at their edges."""
    points = list(route)
    (sx, sy), (tx, ty) = points[0], points[-1]
    downward = ty >= sy
    if not downward and len(points) > 2:
        # A back edge meets its boxes off centre, on the side it comes from, so that it
        # does not run into the forward edges there.
        sx += source[2] / 4 * (1 if points[1][0] >= sx else -1)
        tx += target[2] / 4 * (1 if points[-2][0] >= tx else -1)
    points[0] = (sx, sy + (source[3] / 2 if downward else -source[3] / 2))
    points[-1] = (tx, ty - (target[3] / 2 if downward else -target[3] / 2))
    d = f"M{_num(points[0][0])},{_num(points[0][1])}"
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        mid = (y0 + y1) / 2
        d += f" C{_num(x0)},{_num(mid)} {_num(x1)},{_num(mid)} {_num(x1)},{_num(y1)}"
    return d


def _self_loop(box: tuple[float, float, float, float]) -> str:
    x, y, w, h = box
    right = x + w / 2
    return (f"M{_num(right)},{_num(y - h / 4)} C{_num(right + 34)},{_num(y - h)}"
            f" {_num(right + 34)},{_num(y + h)} {_num(right + 1)},{_num(y + h / 4)}")
