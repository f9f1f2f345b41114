"""The guardrails benchmark runs (quick mode) and writes its JSON report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.mark.slow
def test_bench_guardrails_quick_writes_its_targets(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_guardrails.py"), "--quick", "--out",
         str(out)], capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "PASS" in done.stdout or "MISS" in done.stdout
    report = json.loads(out.read_text())
    assert set(report["targets"]) == {"pipeline_p50_ms", "recall", "false_positive_rate"}
    assert report["pipeline"]["guard"]["p50_ms"] > 0 and report["invoice"]["p50_ms"] > 0
    assert 0 < report["pipeline_share_of_invoice"] < 1
    assert report["pipeline"]["patterns_only"]["p50_ms"] > 0
    assert report["classifier"]["sentences"] > 0 and report["classifier"]["cold"]["p50_ms"] > 0
