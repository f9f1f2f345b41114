"""Calibration across labelled sets: one map fitted on several eval reports, each set
scored by a map fitted without it, and ``wardflow eval calibrate``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import wardflow_cli
from wardflow.agents.calibration import Calibration, fit_isotonic
from wardflow.errors import ConfigError
from wardflow.evals._calibration_sets import fit_sets, leave_one_set_out, score_with
from wardflow.evals.documents import calibration_input

REQUIRED = ("vendor", "invoice_number", "invoice_date", "currency", "total")


def _row(
    raw: float,
    right: bool,
    *,
    reasons: tuple[str, ...] = (),
    method: str = "text",
    vendor: tuple[str, bool] = ("label", False),
) -> dict[str, Any]:
    """A scored document whose required fields were all read at ``raw``."""
    fields = {n: {"value": "x", "confidence": raw, "method": "label"} for n in REQUIRED}
    fields["vendor"].update(
        method=vendor[0], notes=["corroborated by the VAT ID"] if vendor[1] else []
    )
    return {
        "file": "f.pdf",
        "route": "review" if reasons else "post",
        "methods": dict.fromkeys(REQUIRED, "label"),
        "misses": {} if right else dict.fromkeys(REQUIRED, {}),
        "reasons": list(reasons),
        "core_right": right,
        "raw_pairs": [[raw, right]] * len(REQUIRED),
        "raw_doc_pair": [raw, right],
        "calibration_input": calibration_input({"method": method, "fields": fields}),
    }


def _report(name: str, rows: list[dict[str, Any]], model: str = "none") -> dict[str, Any]:
    return {
        "format": "wardflow-eval/1",
        "dataset": {"path": name, "labels_sha256": "ab"},
        "config": {"model": model},
        "documents": [*rows, {"file": "x", "error": "E"}],
    }


def _sets() -> dict[str, dict[str, Any]]:
    return {
        "a": _report("a", [_row(0.85, True)] * 8 + [_row(0.6, False)] * 4),
        "b": _report("b", [_row(0.85, True)] * 6 + [_row(0.85, False), _row(0.6, True)]),
        "c": _report(
            "c",
            [
                _row(0.85, True, reasons=("low_confidence",)),
                _row(0.85, True, reasons=("low_confidence", "unknown_vendor")),
                _row(0.85, False, method="ocr"),
                _row(0.6, False),
            ],
        ),
    }


def test_fit_sets_pools_the_reports_and_names_them() -> None:
    sets = _sets()
    fitted = fit_sets(sets, "isotonic")
    pairs = [
        (float(c), bool(r))
        for rep in sets.values()
        for d in rep["documents"]
        for c, r in d.get("raw_pairs", [])
    ]
    assert fitted.version == fit_isotonic(pairs).version
    assert fitted.fitted_on["sets"] == [
        {"name": "a", "documents": 12, "pairs": 60, "labels_sha256": "ab"},
        {"name": "b", "documents": 8, "pairs": 40, "labels_sha256": "ab"},
        {"name": "c", "documents": 4, "pairs": 20, "labels_sha256": "ab"},
    ]
    assert fitted.fitted_on["documents"] == 24 and fitted.fitted_on["model"] == "none"
    assert fit_sets(sets, "platt").method == "platt"
    with pytest.raises(ConfigError, match="different models"):
        fit_sets({**sets, "d": _report("d", [_row(0.9, True)], model="local/x")}, "isotonic")
    with pytest.raises(ConfigError, match="no scored documents"):
        fit_sets({"e": _report("e", [])}, "isotonic")


def test_a_map_is_applied_to_stored_runs_as_the_graph_applies_it() -> None:
    mapping = Calibration("isotonic", ((0.6, 0.4), (0.85, 0.95)))
    report = _sets()["c"]
    raw = score_with(report, None)
    assert raw["through"] == 0 and raw["core_labelled"] == 4 and raw["field"]["n"] == 20
    mapped = score_with(report, mapping)
    # 0.85 -> 0.95 on the two documents read as text; the OCR document stays under 0.90.
    assert (mapped["through"], mapped["through_wrong"]) == (2, 0)
    # Only the one whose sole reason for review was low confidence would now post.
    assert (mapped["posted"], mapped["posted_wrong"]) == (1, 0)
    assert mapped["field"]["ece"] != raw["field"]["ece"]
    # A seller found by pattern alone stays under the review threshold, as in the graph.
    alone = _report("p", [_row(0.85, True, vendor=("pattern", False))])
    vouched = _report("q", [_row(0.85, True, vendor=("pattern", True))])
    assert score_with(alone, mapping)["through"] == 0
    assert score_with(vouched, mapping)["through"] == 1
    old = _report("o", [{k: v for k, v in _row(0.85, True).items() if k != "calibration_input"}])
    with pytest.raises(ConfigError, match="calibration_input"):
        score_with(old, mapping)


def test_leave_one_set_out_scores_each_set_with_a_map_that_never_saw_it() -> None:
    sets = _sets()
    result = leave_one_set_out(sets)
    assert result["sets"] == ["a", "b", "c"]
    for name, scores in result["held_out"].items():
        others = {n: r for n, r in sets.items() if n != name}
        assert scores["raw"]["version"] is None
        assert scores["isotonic"]["version"] == fit_sets(others, "isotonic").version
        assert scores["platt"]["version"] == fit_sets(others, "platt").version
        assert scores["raw"] == {"version": None, **score_with(sets[name], None)}
    pooled = result["pooled"]["isotonic"]
    assert pooled["core_labelled"] == 24
    assert pooled["through"] == sum(h["isotonic"]["through"] for h in result["held_out"].values())
    with pytest.raises(ConfigError, match="at least two"):
        leave_one_set_out({"a": sets["a"]})


@pytest.mark.slow
def test_cli_calibrate_fits_stores_and_measures(tmp_path: Path) -> None:
    paths = []
    for name, report in _sets().items():
        paths.append(tmp_path / f"{name}.json")
        paths[-1].write_text(json.dumps(report))
    home = tmp_path / "home"
    done = wardflow_cli(
        home, "eval", "calibrate", *map(str, paths), "--leave-one-set-out", "--json"
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    stored = Calibration.load(home / "calibration.json")  # the graph applies it from there
    assert result["calibration"]["version"] == stored.version
    assert [s["name"] for s in stored.fitted_on["sets"]] == ["a", "b", "c"]
    assert set(result["leave_one_set_out"]["held_out"]) == {"a", "b", "c"}
    out = tmp_path / "platt.json"
    done = wardflow_cli(
        home, "eval", "calibrate", *map(str, paths), "--method", "platt", "-o", str(out)
    )
    assert done.returncode == 0 and Calibration.load(out).method == "platt"
    assert "stored in" in done.stdout
    done = wardflow_cli(home, "eval", "calibrate", str(paths[0]), str(paths[0]))
    assert done.returncode == 1 and "two reports of a" in done.stderr
    done = wardflow_cli(home, "eval", "calibrate", str(paths[0]), "--method", "magic")
    assert done.returncode == 2 and "isotonic or platt" in done.stderr
