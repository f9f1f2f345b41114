"""The README's Python example works on a fresh data home exactly as written, setup
included, and prints what its comments say it prints (issue 17, item 5)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import EXAMPLES, ROOT


def _example() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### 3. Use the graph from Python"):]
    found = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert found, "the README's Python example is missing"
    return found[1]


def _claims(code: str) -> list[str]:
    """What each ``print(...)  # claim`` line says it prints: the comment's first word."""
    return [m[1].rstrip(",:") for m in re.finditer(r"^\s*print\(.*\)\s+#\s*(\S+)", code,
                                                  re.MULTILINE)]


def test_the_python_example_runs_on_a_fresh_home_as_written(tmp_path: Path) -> None:
    code = _example()
    claims = _claims(code)
    assert len(claims) >= 4, claims
    # The example's relative paths are the repository's; its data home is new.
    (tmp_path / "examples").symlink_to(EXAMPLES, target_is_directory=True)
    (tmp_path / "example.py").write_text(code, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WARDFLOW_MODEL": "none",
           # The examples are dated 2026; keep them plausible whenever the test runs.
           "WARDFLOW_MAX_INVOICE_AGE_DAYS": "36500"}
    env.pop("WARDFLOW_HOME", None)
    result = subprocess.run([sys.executable, "example.py"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    printed = result.stdout.splitlines()
    assert len(printed) >= len(claims), result.stdout
    for claim, line in zip(claims, printed, strict=False):
        assert line.startswith(claim), (claim, line, result.stdout)
    # What the comments mean: paused for review, refused with a rule, then posted once.
    assert printed[0] == "awaiting_review"
    assert any(line.startswith("posted P-") for line in printed)
    assert printed[-1] == "['archive']"
    assert (tmp_path / ".wardflow").is_dir()
