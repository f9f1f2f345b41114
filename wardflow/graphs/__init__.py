"""Graphs: the run state schema, the invoice reference graph and blueprint graphs.

What runs them lives in :mod:`wardflow.runtime` (Workspace, workers, schedules,
events, checkpointers); what operators do to past runs in :mod:`wardflow.operations`.
"""

from wardflow.graphs.invoice import build_invoice_graph
from wardflow.graphs.state import InvoiceInput, InvoiceState

__all__ = ["InvoiceInput", "InvoiceState", "build_invoice_graph"]
