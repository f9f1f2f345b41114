"""``wardflow keys``: encryption keys for checkpoints and the token vault (registered by
:mod:`wardflow.cli.app`)."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from wardflow.cli._common import (
    JsonOption,
    err,
    guarded,
    load_settings,
    out,
    print_json,
)

__all__ = ["keys_app"]

keys_app = typer.Typer(help="Encryption at rest: make a key, see what each key seals,"
                       " seal clear data, re-encrypt under a new key.", no_args_is_help=True)


@keys_app.command("generate")
def keys_generate() -> None:
    """Print a new random key for WARDFLOW_ENCRYPTION_KEY (keep it in a secrets store)."""
    from wardflow._crypto import generate_key

    # The only place a key is ever printed: on purpose, to stdout, for a secrets store.
    typer.echo(generate_key())


@keys_app.command("status")
def keys_status(as_json: JsonOption = False) -> None:
    """Whether data is encrypted at rest, and how many blobs each key id seals."""
    from wardflow.graphs.rekey import key_report

    report = guarded(lambda: key_report(load_settings()))
    if as_json:
        print_json(report.to_dict())
        return
    if report.encrypted:
        old = f"; old keys {', '.join(report.old_key_ids)}" if report.old_key_ids else ""
        out.print(f"encryption at rest: on, key {report.key_id}{old}")
    else:
        out.print("encryption at rest: off (new checkpoints and vault values are stored in"
                  " clear; set WARDFLOW_ENCRYPTION_KEY, see `wardflow keys generate`)")
    sealed = {kid for counts in (report.checkpoint_blobs, report.vault_values)
              for kid in counts} - {"clear", report.key_id, *report.old_key_ids}
    if sealed:
        err.print(f"[yellow]warning:[/yellow] some data is under key(s) {', '.join(sorted(sealed))}"
                  " that this process was not given: it cannot be read")
    for name, counts in (("checkpoint blobs", report.checkpoint_blobs),
                         ("vault values", report.vault_values)):
        shown = ", ".join(f"{kid}: {n}" for kid, n in sorted(counts.items())) or "none"
        out.print(f"{name}: {shown}")
    for name, counts, threads in (
            ("checkpoint blob(s)", report.checkpoint_blobs, report.clear_checkpoint_threads),
            ("vault value(s)", report.vault_values, report.clear_vault_threads)):
        if report.encrypted and counts.get("clear"):
            err.print(f"[yellow]warning:[/yellow] {counts['clear']} {name} stored in clear, in"
                      f" thread(s) {_first(threads)}: refused while a key is set; if they"
                      " predate the key run `wardflow keys encrypt`, else restore a backup")


@keys_app.command("rotate")
def keys_rotate(
    batch: Annotated[int, typer.Option(min=1, help="Rows per transaction.")] = 500,
    as_json: JsonOption = False,
) -> None:
    """Re-encrypt every checkpoint blob and vault value under WARDFLOW_ENCRYPTION_KEY.

    Old keys go in WARDFLOW_ENCRYPTION_KEYS_OLD (comma-separated) until this has run.
    Safe to run again: what is already under the new key is skipped.
    """
    from wardflow.graphs.rekey import rotate_keys

    report = guarded(lambda: rotate_keys(load_settings(), actor=getpass.getuser(), batch=batch))
    if as_json:
        print_json(report.to_dict())
        return
    out.print(f"re-encrypted {report.checkpoint_blobs} checkpoint blob(s) and"
              f" {report.vault_values} vault value(s) under key {report.key_id}; the old"
              " keys can be dropped once every process runs with the new one")


@keys_app.command("encrypt")
def keys_encrypt(
    batch: Annotated[int, typer.Option(min=1, help="Rows per transaction.")] = 500,
    as_json: JsonOption = False,
) -> None:
    """Seal the data stored in clear (from before WARDFLOW_ENCRYPTION_KEY was set).

    With a key set, clear checkpoints and vault values are refused, since someone
    without the key could have written them; this migration (audited as
    keys.encrypted) is the one way to take them in. Run it only over data you trust.
    """
    from wardflow.graphs.rekey import encrypt_clear

    report = guarded(lambda: encrypt_clear(load_settings(), actor=getpass.getuser(), batch=batch))
    if as_json:
        print_json(report.to_dict())
        return
    out.print(f"encrypted {report.checkpoint_blobs} checkpoint blob(s) and"
              f" {report.vault_values} vault value(s) under key {report.key_id}")


def _first(threads: list[str], shown: int = 10) -> str:
    more = f" and {len(threads) - shown} more" if len(threads) > shown else ""
    return ", ".join(threads[:shown]) + more
