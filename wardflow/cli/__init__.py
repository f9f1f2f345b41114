"""The ``wardflow`` command line.

:mod:`wardflow.cli.app` holds the root command and registers the others; each
command group has its own module (``process``, ``review``, ``principals``, ``erp``...),
and what they share lives in :mod:`wardflow.cli._common`.
"""

from wardflow.cli.app import app, main

__all__ = ["app", "main"]
