"""Quality gates on an eval report: ``metric.path: {min: x}`` or ``{max: y}``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from wardflow.errors import ConfigError


def lookup(report: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path of the report (``fields.total.exact_match``)."""
    value: Any = report
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise KeyError(path)
        value = value[part]
    return value


def load_thresholds(path: Path | str) -> dict[str, dict[str, float]]:
    """Quality gates from a YAML (or JSON) file: ``metric.path: {min: x}`` or ``{max: y}``.

    Raises:
        ConfigError: unreadable, not a mapping of gates, or a gate without min/max.
    """
    import yaml

    source = Path(path)
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
    except OSError as err:
        raise ConfigError(f"cannot read the thresholds {source}: {err.strerror}") from err
    except yaml.YAMLError as err:
        raise ConfigError(f"{source} is not YAML: {err}") from err
    if not isinstance(data, dict) or not data:
        raise ConfigError(f"{source}: thresholds are a mapping of metric: {{min: x}} or {{max: y}}")
    gates: dict[str, dict[str, float]] = {}
    for metric, gate in data.items():
        if not isinstance(gate, dict) or not gate or set(gate) - {"min", "max"}:
            raise ConfigError(f"{source}: {metric}: give min and/or max (got {gate!r})")
        try:
            gates[str(metric)] = {k: float(v) for k, v in gate.items()}
        except (TypeError, ValueError) as err:
            raise ConfigError(f"{source}: {metric}: bounds are numbers ({err})") from err
    return gates


def check_thresholds(report: Mapping[str, Any],
                     gates: Mapping[str, Mapping[str, float]]) -> list[dict[str, Any]]:
    """One row per gate: metric, value, bound, passed. A metric the report does not have
    (or that is ``None``, nothing to measure) fails: a gate never passes by omission."""
    results = []
    for metric, gate in gates.items():
        try:
            value = lookup(report, metric)
        except KeyError:
            value = None
        for kind, bound in gate.items():
            ok = isinstance(value, (int, float)) and (
                value >= bound if kind == "min" else value <= bound)
            results.append({"metric": metric, "value": value, kind: bound, "passed": ok})
    return results
