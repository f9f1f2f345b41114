"""A workspace's review queue: the cases waiting for a reviewer, who may decide which, and
the reminders and escalations of overdue ones (a part of
:class:`~wardflow.runtime.workspace.Workspace`).
"""

from __future__ import annotations

from datetime import datetime

from wardflow.errors import ReviewError
from wardflow.review.authz import authorize
from wardflow.review.payloads import ReviewDecision, ReviewRequest
from wardflow.review.principals import ESCALATION
from wardflow.runstate import ComplianceReport
from wardflow.runtime._workspace_base import WorkspaceBase


class ReviewQueue(WorkspaceBase):
    """The workspace's methods for the review inbox."""

    def pending(self, thread_id: str) -> ReviewRequest:
        """The review request a paused run waits on (with its escalation, if any)."""
        snapshot = self.state(thread_id)
        if not snapshot.interrupts:
            raise ReviewError(thread_id, "the run is not waiting for review")
        return self._with_escalation(ReviewRequest.model_validate(snapshot.interrupts[0].value))

    def _with_escalation(self, request: ReviewRequest) -> ReviewRequest:
        role = self.principals.escalated_role(request.thread_id)
        return request.model_copy(update={"required_role": role}) if role else request

    def sweep(self, now: datetime | None = None) -> list[dict[str, str]]:
        """Escalate overdue cases to the next role and remind about cases due within a
        day; every event is recorded with the case and in the audit log."""
        now = now or self._clock()
        events = []
        for case in self.inbox():
            deadline = datetime.fromisoformat(case.deadline)
            history = self.principals.events(case.thread_id)
            if now > deadline:
                role = ESCALATION.get(case.required_role, "controller")
                overdue = [e for e in history if e["kind"] == "escalation"
                           and (e["at"] or "") >= case.deadline]
                if overdue:
                    continue
                detail = f"overdue since {case.deadline}; escalated to {role}"
                kind = "escalation"
            elif (deadline - now).total_seconds() <= 86400:
                if any(e["kind"] == "reminder" for e in history):
                    continue
                role = case.required_role
                detail = f"due {case.deadline}; reminder to the {role}s"
                kind = "reminder"
            else:
                continue
            self.principals.record_event(case.thread_id, kind, role=role, detail=detail, at=now)
            self.audit.append(f"review.{kind}", {"role": role, "detail": detail},
                              thread_id=case.thread_id)
            events.append({"thread_id": case.thread_id, "kind": kind, "role": role,
                           "detail": detail})
        return events

    def inbox(self) -> list[ReviewRequest]:
        """Cases waiting for review: highest risk first, then oldest deadline."""
        cases = []
        for thread in self.threads():
            snapshot = self.graph.get_state(self._config(thread))
            if snapshot.interrupts:
                cases.append(self._with_escalation(
                    ReviewRequest.model_validate(snapshot.interrupts[0].value)))
        return sorted(cases, key=lambda c: (-float(c.risk.get("score", 0.0)), c.deadline))

    def inbox_for(self, principal: str) -> list[tuple[ReviewRequest, str | None]]:
        """The inbox as ``principal`` sees it: the cases they may decide first (each
        with None), then the others with why not (e.g. it needs a controller)."""
        who = self.principals.get(principal)
        mine: list[tuple[ReviewRequest, str | None]] = []
        others: list[tuple[ReviewRequest, str | None]] = []
        for case in self.inbox():
            values = self.graph.get_state(self._config(case.thread_id)).values
            try:
                # As if they approved what they were shown (an incomplete case is
                # theirs too: they decide it by correcting it).
                authorize(ReviewDecision(decision="approve", by=principal,
                                         args_hash=case.proposed_action.args_hash), case, who,
                          submitted_by=values.get("submitted_by"),
                          editors=values.get("editors", []),
                          amount=ComplianceReport.of(values.get("compliance")).approval_amount)
            except ReviewError as err:
                reason = str(err).split(": ", 1)[-1]
                if reason.startswith("incomplete:"):
                    mine.append((case, None))
                else:
                    others.append((case, reason))
            else:
                mine.append((case, None))
        return mine + others
