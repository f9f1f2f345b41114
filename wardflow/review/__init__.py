"""Human review: interrupt payloads and decisions."""

from wardflow.review.payloads import ProposedAction, ReviewDecision, ReviewReason, ReviewRequest

__all__ = ["ProposedAction", "ReviewDecision", "ReviewReason", "ReviewRequest"]
