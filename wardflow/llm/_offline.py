"""The environment litellm reads at import, set before anything imports it.

Kept apart from :mod:`wardflow.llm._litellm` (which configures litellm and registers
the local provider of :mod:`wardflow.llm.local`) so that the local provider, which
imports litellm itself, can prepare the environment without importing its registrar.
"""

from __future__ import annotations

import os

__all__ = ["prepare_environment"]


def prepare_environment() -> None:
    """Tell litellm, before it is imported, to use its bundled cost map."""
    # litellm fetches its price table while importing unless this is set.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    os.environ.setdefault("LITELLM_TELEMETRY", "False")
