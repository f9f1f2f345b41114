"""Graphs: state schema, the invoice reference graph, checkpointer factory, workspace."""

from wardflow.graphs.invoice import build_invoice_graph
from wardflow.graphs.state import InvoiceInput, InvoiceState
from wardflow.graphs.workspace import RunSummary, Workspace

__all__ = ["InvoiceInput", "InvoiceState", "RunSummary", "Workspace", "build_invoice_graph"]
