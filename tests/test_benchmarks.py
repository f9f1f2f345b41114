"""The benchmark runs (quick mode) and writes its JSON report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.mark.slow
def test_bench_graph_quick_writes_ratios(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_graph.py"), "--quick", "--out", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "ratio" in done.stdout
    report = json.loads(out.read_text())
    assert report, "empty report"
    text = json.dumps(report)
    assert "ratio" in text and "sync" in text
    # layout reading and the hidden-text pass are reported on their own (issue 15)
    for part in ("layout", "hidden_text", "line_items"):
        assert report["invoice"][part]["n"] >= 1 and report["invoice"][part]["median_ms"] > 0
    assert "hidden-text pass" in done.stdout and "layout reading" in done.stdout


@pytest.mark.slow
def test_bench_review_quick_writes_the_ratio(tmp_path: Path) -> None:
    out = tmp_path / "review.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_review.py"), "--quick", "--out", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    assert report["bare"]["runs"] == report["wardflow"]["runs"] == 5
    assert report["ratio"] == round(report["wardflow"]["median_ms"] / report["bare"]["median_ms"], 2)


@pytest.mark.slow
def test_bench_risk_quick_reports_recall_precision_and_timing(tmp_path: Path) -> None:
    out = tmp_path / "risk.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_risk.py"), "--quick", "--no-minilm",
         "--out", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    lexical = report["detection"]["lexical-512"]
    assert lexical["true_positives"] + lexical["false_negatives"] == 6
    assert 0 <= lexical["recall"] <= 1 and "facts_only_baseline" in report["detection"]
    timing = report["timing"]["lexical"]
    assert timing["memory_size"] == 1000 and timing["risk_step_ms_median"] > 0


@pytest.mark.slow
def test_bench_load_small_count_reports_every_variant(tmp_path: Path) -> None:
    pytest.importorskip("ray", reason="pip install 'wardflow[ray]'")
    out = tmp_path / "load.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_load.py"), "--count", "6",
         "--workers", "2", "--postgres", "off", "--out", str(out), "--data",
         str(tmp_path / "invoices")],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    assert set(report["variants"]) == {"langgraph_chain", "langgraph_invoke", "sqlite_1proc",
                                       "ray_sqlite"}
    assert report["postgres"].startswith("off")
    for name, row in report["variants"].items():
        assert row["invoices"] == 5, name  # the first document warms up, untimed
        assert row["invoices_per_s"] > 0 and row["p95_ms"] >= row["p50_ms"] > 0
        assert row["checkpoints"] >= 5 * 8 and row["checkpoint_writes_per_s"] > 0
        if name != "langgraph_chain":  # the same routes and postings on every path
            assert row["routes"] == report["variants"]["sqlite_1proc"]["routes"], name
            assert row["erp_postings"] == row["routes"].get("posted", 0) + 1, name
    assert report["ratios"]["sqlite_1proc"]["vs_sqlite_1proc"] == 1.0


@pytest.mark.slow
def test_bench_tracing_quick_writes_the_ratio(tmp_path: Path) -> None:
    out = tmp_path / "tracing.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_tracing.py"), "--quick", "--out",
         str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    assert report["ratio"] == round(report["batch"]["on_path_us"]
                                    / report["simple"]["on_path_us"], 3)
    assert report["batch"]["flush_us"] >= 0 and report["spans"] == 200
