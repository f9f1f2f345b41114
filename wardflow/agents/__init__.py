"""Agents: the extractor, risk and compliance agents (pure decisions over facts that
their callers look up through tools)."""

from wardflow.agents.compliance import CompliancePolicy, check_compliance
from wardflow.agents.extractor import ExtractionPolicy, extract_invoice
from wardflow.agents.risk import assess_risk

__all__ = [
    "CompliancePolicy",
    "ExtractionPolicy",
    "assess_risk",
    "check_compliance",
    "extract_invoice",
]
