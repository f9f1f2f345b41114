"""``wardflow eval``: measure the agents and guards on labelled data."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from typer.core import TyperGroup

from wardflow.cli._common import (
    EXIT_ERROR,
    EXIT_USAGE,
    JsonOption,
    err,
    guarded,
    load_settings,
    out,
    print_json,
)
from wardflow.cli._progress import Steps
from wardflow.config import Settings
from wardflow.errors import ConfigError

__all__ = ["eval_app"]



class _DatasetFirst(TyperGroup):
    """``wardflow eval [DATASET]``: anything that is not a subcommand is a dataset."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h")):
            args = ["documents", *args]
        return super().parse_args(ctx, args)


eval_app = typer.Typer(help="Measure the agents and guards on labelled data:"
                       " wardflow eval [DATASET] (documents), compare, guardrails.",
                       cls=_DatasetFirst)


@eval_app.command("guardrails")
def eval_guardrails(
    dataset: Annotated[Path | None, typer.Option("--dataset", help="JSONL with `text` and"
                                                 " `label` (injection|benign); default: the"
                                                 " bundled corpus.")] = None,
    as_json: JsonOption = False,
    loso: Annotated[bool, typer.Option("--loso", help="Leave-one-source-out on the injection"
                                       " classifier's training corpus (or --dataset): each"
                                       " source scored by a detector trained without it, every"
                                       " choice made on its training sources only.")
                                       ] = False,
    detector: Annotated[str | None, typer.Option(
        "--detector", help="--loso: ngram (the n-gram model alone) or cascade (with the MiniLM"
        " head); default: what WARDFLOW_INJECTION_HEAD selects.")] = None,
    embeddings_cache: Annotated[Path | None, typer.Option(
        "--embeddings-cache", help="--loso with the cascade: a .npz of MiniLM sentence"
        " embeddings, read and extended; without it every sentence is embedded (minutes).")
                                ] = None,
) -> None:
    """Recall, false-positive rate and latency of the guards, per validator, source,
    boundary and overall: the pipeline the settings describe (threshold, ONNX and model
    layers); under --loso, the embedded classifier the settings select (the n-gram model,
    or the cascade with its MiniLM head) retrained per fold."""
    from wardflow.evals._loso import DETECTORS, detector_from_settings
    from wardflow.evals.guardrails import guardrails_eval
    from wardflow.guardrails.pipeline import GuardPipeline

    def run() -> tuple[dict[str, Any], Any]:
        settings = load_settings()
        if not loso:
            return guardrails_eval(dataset, as_json, pipeline=GuardPipeline.from_settings(settings))
        if detector is not None and detector not in DETECTORS:
            raise ConfigError(f"--detector must be one of {', '.join(DETECTORS)}, not {detector!r}")
        chosen = detector or detector_from_settings(settings)
        return guardrails_eval(dataset, as_json, loso=True, detector=chosen,
                               embeddings_cache=embeddings_cache)

    _, shown = guarded(run)
    if as_json:
        sys.stdout.write(str(shown) + "\n")
    else:
        out.print(shown)


@eval_app.command("documents")
def eval_documents(
    dataset: Annotated[Path, typer.Argument(help="A folder with labels.jsonl and its"
                                            " documents (default: examples).")] = Path("examples"),
    as_json: JsonOption = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the JSON"
                      " report here (default: HOME/evals/eval-<time>.json).")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Write a self-contained HTML"
                                              " report here.")] = None,
    thresholds: Annotated[Path | None, typer.Option("--thresholds", help="YAML quality gates;"
                          " exit 1 when one fails.")] = None,
    baseline: Annotated[Path | None, typer.Option("--baseline", help="An earlier JSON report"
                        " to compare with, side by side.")] = None,
    model: Annotated[str | None, typer.Option("--model", help="The model under test"
                                              " (default: the configured one).")] = None,
    calibration: Annotated[Path | None, typer.Option("--calibration", help="Apply this"
                           " calibration file.")] = None,
    fit: Annotated[str | None, typer.Option("--fit-calibration", help="Fit a calibration"
                   " (isotonic or platt) on this run's raw scores and store it in the data"
                   " home, where the graph applies it.")] = None,
    loso: Annotated[bool, typer.Option("--leave-one-source-out", help="Also fit calibration"
                    " on all sources but one and measure it on the one left out, per source"
                    " (labels' source or source_repo).")] = False,
) -> None:
    """Run labelled documents through the real graph; score fields, routing, guards,
    explanations, calibration, latency and cost."""
    from wardflow.evals.documents import evaluate_documents

    if fit not in (None, "isotonic", "platt"):
        err.print(f"[red]error:[/red] --fit-calibration is isotonic or platt, not {fit!r}")
        raise typer.Exit(EXIT_USAGE)
    settings = _eval_settings(model, calibration)

    def evaluate() -> dict[str, Any]:
        with Steps(err, None, "evaluating", quiet=as_json) as steps:
            return evaluate_documents(dataset, settings, progress=steps.callback,
                                      leave_one_source_out=loso)

    report = guarded(evaluate)
    saved = _save_report(report, output or settings.home / "evals" /
                         f"eval-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json")
    previous = guarded(lambda: _load_report(baseline)) if baseline else None
    if fit:
        report["fitted_calibration"] = guarded(lambda: _fit(report, fit, settings, dataset))
    gates = _check_gates(report, thresholds)
    if html:  # after the gates, so that the page shows them
        from wardflow.evals.report import render_html

        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(render_html(report, baseline=previous), encoding="utf-8")
    if as_json:
        print_json(report)
    else:
        _print_report(report, previous, gates, saved, html)
    if any(not g["passed"] for g in gates):
        raise typer.Exit(EXIT_ERROR)


def _eval_settings(model: str | None, calibration: Path | None) -> Settings:
    """The configured settings, with the model and calibration file under test."""
    settings = load_settings()
    updates: dict[str, Any] = {}
    if model:
        updates["model"] = model
    if calibration:
        updates.update(calibration_file=calibration, calibration="auto")
    return settings.model_copy(update=updates) if updates else settings


def _check_gates(report: dict[str, Any], thresholds: Path | None) -> list[dict[str, Any]]:
    """The quality gates of the ``thresholds`` file checked on the report (also stored in
    it as ``thresholds``); none without a file."""
    if not thresholds:
        return []
    from wardflow.evals.documents import check_thresholds, load_thresholds

    gates = check_thresholds(report, guarded(lambda: load_thresholds(thresholds)))
    report["thresholds"] = gates
    return gates


def _print_report(report: dict[str, Any], previous: dict[str, Any] | None,
                  gates: list[dict[str, Any]], saved: Path, html: Path | None) -> None:
    """An eval report as tables: the scores, the baseline beside them, the gates."""
    from wardflow.evals.documents import report_table

    out.print(report_table(report))
    if previous is not None:
        from wardflow.evals.report import compare_reports, compare_table

        out.print(compare_table(compare_reports(report, previous)))
    for gate in gates:
        bound = f">= {gate['min']}" if "min" in gate else f"<= {gate['max']}"
        mark = "[green]pass[/green]" if gate["passed"] else "[red]FAIL[/red]"
        out.print(f"{mark} {gate['metric']} = {gate['value']} (needs {bound})")
    if "fitted_calibration" in report:
        out.print(f"calibration {report['fitted_calibration']['version']} stored in"
                  f" {report['fitted_calibration']['path']}")
    out.print(f"report: {saved}" + (f", {html}" if html else ""))


def _save_report(report: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def _load_report(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ConfigError(f"cannot read the report {path}: {error}") from error
    if not isinstance(data, dict) or data.get("format") != "wardflow-eval/1":
        raise ConfigError(f"{path} is not a wardflow eval report (wardflow-eval/1)")
    return data


def _fit(report: dict[str, Any], method: str, settings: Settings,
         dataset: Path) -> dict[str, Any]:
    from wardflow.evals._calibration_sets import fit_sets

    fitted = fit_sets({str(dataset): report}, method,  # type: ignore[arg-type]
                      fitted_at=datetime.now(UTC).isoformat(timespec="seconds"))
    path = fitted.save(settings.calibration_path)
    return {"version": fitted.version, "method": method, "path": str(path)}


@eval_app.command("compare")
def eval_compare(
    current: Annotated[Path, typer.Argument(help="The new report (JSON).")],
    baseline: Annotated[Path, typer.Argument(help="The report to compare with.")],
    as_json: JsonOption = False,
    html: Annotated[Path | None, typer.Option("--html", help="Write the side-by-side HTML"
                                              " report here.")] = None,
) -> None:
    """Two eval reports side by side (e.g. two models: shadow evaluation)."""
    from wardflow.evals.report import compare_reports, compare_table, render_html

    new, old = guarded(lambda: (_load_report(current), _load_report(baseline)))
    diff = compare_reports(new, old)
    if html:
        html.write_text(render_html(new, baseline=old), encoding="utf-8")
    if as_json:
        print_json(diff)
    else:
        out.print(compare_table(diff))


@eval_app.command("calibrate")
def eval_calibrate(
    reports: Annotated[list[Path], typer.Argument(help="Eval reports (JSON, one per labelled"
                                                  " set) whose raw scores the map is fitted on.")],
    method: Annotated[str, typer.Option("--method", help="isotonic or platt.")] = "isotonic",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the map here"
                      " (default: HOME/calibration.json, which the graph applies).")] = None,
    folds: Annotated[bool, typer.Option("--leave-one-set-out", help="Also fit both methods"
                     " on all sets but one and measure them on the one left out.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Fit a calibration on the raw scores of several eval reports; with
    --leave-one-set-out, first measure how such a map does on a set it did not see."""
    from wardflow.evals._calibration_sets import fit_sets, leave_one_set_out

    if method not in ("isotonic", "platt"):
        err.print(f"[red]error:[/red] --method is isotonic or platt, not {method!r}")
        raise typer.Exit(EXIT_USAGE)
    settings = load_settings()
    loaded = guarded(lambda: _load_sets(reports))
    result: dict[str, Any] = {}
    if folds:
        result["leave_one_set_out"] = guarded(lambda: leave_one_set_out(
            loaded, threshold=settings.review_threshold))
    fitted = guarded(lambda: fit_sets(loaded, method))  # type: ignore[arg-type]
    path = fitted.save(output or settings.calibration_path)
    result["calibration"] = {"version": fitted.version, "path": str(path),
                             "fitted_on": dict(fitted.fitted_on)}
    if as_json:
        print_json(result)
        return
    if folds:
        out.print(_folds_table(result["leave_one_set_out"]))
    out.print(f"calibration {fitted.version} ({fitted.fitted_on['documents']} documents,"
              f" {fitted.fitted_on['pairs']} fields) stored in {path}")


def _load_sets(paths: list[Path]) -> dict[str, dict[str, Any]]:
    """The reports by the dataset each scored.

    Raises:
        ConfigError: an unreadable report, or two reports of the same dataset.
    """
    sets: dict[str, dict[str, Any]] = {}
    for path in paths:
        report = _load_report(path)
        name = str((report.get("dataset") or {}).get("path") or path)
        if name in sets:
            raise ConfigError(f"two reports of {name}: give one report per labelled set")
        sets[name] = report
    return sets


def _folds_table(result: dict[str, Any]) -> Any:
    """Leave one set out as a table: per held-out set and map, ECE and straight-through."""
    from rich.table import Table

    table = Table(title=f"calibration left one set out (straight-through at >="
                        f" {result['threshold']:.2f})")
    for column in ("held-out set", "map", "field ECE", "document ECE", "through (wrong)",
                   "would post (wrong)"):
        table.add_column(column)
    rows = [*result["held_out"].items(), ("pooled", result["pooled"])]
    for name, by_map in rows:
        for key, s in by_map.items():
            table.add_row(name, key, f"{s['field']['ece']:.3f}", f"{s['document']['ece']:.3f}",
                          f"{s['through']}/{s['core_labelled']} ({s['through_wrong']})",
                          f"{s['posted']} ({s['posted_wrong']})")
    return table
