"""Agents: the extractor, risk and compliance agents (pure decisions over facts that
their callers look up through tools), and the explainer of a run's decisions."""

from wardflow.agents.compliance import CompliancePolicy, check_compliance
from wardflow.agents.explain import Explanation, explain_run
from wardflow.agents.extractor import ExtractionPolicy, extract_invoice
from wardflow.agents.risk import assess_risk

__all__ = [
    "CompliancePolicy",
    "Explanation",
    "ExtractionPolicy",
    "assess_risk",
    "check_compliance",
    "explain_run",
    "extract_invoice",
]
