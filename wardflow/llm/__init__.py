"""Models: litellm everywhere, an embedded local model by default.

Importing this package is light; litellm and llama.cpp load on the first call.
"""

from wardflow.llm.client import LLM, Structured, Usage

__all__ = ["LLM", "Structured", "Usage"]
