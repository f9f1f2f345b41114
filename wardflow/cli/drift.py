"""``wardflow drift``: compare recent runs with a reference and check the guard alert."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from wardflow.cli._common import (
    EXIT_ALERT,
    JsonOption,
    as_record,
    err,
    guarded,
    open_workspace,
    out,
    print_json,
)

__all__ = ["drift"]



def drift(
    window: Annotated[int | None, typer.Option(
        "--window", help="Current window: the last N runs (default WARDFLOW_DRIFT_WINDOW).")] = None,
    days: Annotated[float | None, typer.Option(
        "--days", help="Current window: the runs of the last D days instead.")] = None,
    reference: Annotated[str | None, typer.Option(
        "--reference", help="baseline, first:N, YYYY-MM-DD..YYYY-MM-DD or a baseline .json"
        " (default: the saved baseline, else the first WARDFLOW_DRIFT_REFERENCE_RUNS runs).")
    ] = None,
    save_baseline: Annotated[bool, typer.Option(
        "--save-baseline", help="Save the current window as the reference, then stop.")] = False,
    kill_switch: Annotated[bool | None, typer.Option(
        "--kill-switch/--no-kill-switch", help="Engage the kill switch on an alert (default:"
        " WARDFLOW_DRIFT_KILL_SWITCH, WARDFLOW_GUARD_ALERT_KILL_SWITCH).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Compare recent runs with a reference (PSI, KS, rates) and check the guard alert.

    An alert is logged and audited (and may engage the kill switch); the exit code is 5.
    """

    def run() -> dict[str, Any]:
        with open_workspace() as ws:
            def read(thread: str) -> tuple[dict[str, Any], str | None]:
                snapshot = ws.graph.get_state({"configurable": {"thread_id": thread}})
                return snapshot.values, snapshot.created_at

            # Blueprint runs (``name:doc-...``) carry no invoice fields to observe.
            collected = ws.monitor.collect([t for t in ws.threads() if ":" not in t], read)
            if save_baseline:
                label, runs = ws.monitor.current(window=window, days=days)
                return {"baseline": str(ws.monitor.save_baseline(runs)), "runs": len(runs),
                        "window": label}
            report, alerts = ws.monitor.check(window=window, days=days, reference=reference,
                                              kill_switch=kill_switch)
            return {"collected": collected, "report": report, "alerts": alerts}

    result = guarded(run)
    if "baseline" in result:
        out.print(f"baseline saved to {result['baseline']}: {result['runs']} run(s),"
                  f" {result['window']}")
        return
    report = result["report"]
    if as_json:
        print_json({**report.to_dict(), "alerts": [as_record(a) for a in result["alerts"]]})
    else:
        out.print(report.render())
        for alert in result["alerts"]:
            err.print(f"[red]{alert.reason}[/red]"
                      + (" (kill switch engaged)" if alert.kill_switch else ""))
    if report.status == "alert":
        raise typer.Exit(EXIT_ALERT)
