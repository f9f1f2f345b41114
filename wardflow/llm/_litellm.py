"""litellm, imported once and configured to stay offline.

litellm downloads its model price table at import unless told not to, and ships
callbacks that can send telemetry. Both are switched off here, before and right after
the import; the embedded local provider is registered at the same time.
"""

from __future__ import annotations

import functools
from types import ModuleType

from wardflow.llm._offline import prepare_environment

__all__ = ["offline_litellm", "prepare_environment"]


@functools.cache
def offline_litellm() -> ModuleType:
    """The ``litellm`` module, configured for offline use (once per process)."""
    prepare_environment()
    import litellm

    litellm.telemetry = False
    litellm.callbacks = []
    litellm.success_callback = []
    litellm.failure_callback = []
    litellm.suppress_debug_info = True
    litellm.drop_params = True

    from wardflow.llm.local import LOCAL_PROVIDER, local_handler

    providers = [p for p in litellm.custom_provider_map if p.get("provider") != LOCAL_PROVIDER]
    litellm.custom_provider_map = [
        *providers, {"provider": LOCAL_PROVIDER, "custom_handler": local_handler()}
    ]
    return litellm
