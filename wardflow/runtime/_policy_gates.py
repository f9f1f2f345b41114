"""The gates every request to a workspace passes before anything runs: rate limits, the
prompt guard and the planner, policy that only tightens, the inbox roots (a part of
:class:`~wardflow.runtime.workspace.Workspace`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from wardflow.config import Settings
from wardflow.errors import OutsideInboxRoots, PolicyError
from wardflow.runtime._workspace_base import WorkspaceBase
from wardflow.tools.inbox import inside_inbox_roots

if TYPE_CHECKING:
    from wardflow.agents.overrides import PolicyOverride
    from wardflow.agents.planner import Plan


class PolicyGates(WorkspaceBase):
    """The workspace's methods that check a request before it runs."""

    def plan(self, prompt: str, *, principal: str, workdir: Path) -> Plan:
        """Plan a natural-language request the way every trigger must: rate limits per
        principal and for the planner, the prompt guard (audited), then the planner.

        Raises:
            RateLimited, GuardViolation: the request is refused before planning.
        """
        from wardflow.agents.planner import plan_request
        from wardflow.guardrails.pipeline import GuardPipeline

        settings = self.settings
        self.rate_limit(principal, "planner")
        # A pipeline of its own (a private vault: nothing of the prompt is kept) with
        # the workspace's layers on top of the embedded classifier, loaded once.
        shared = self.services.guards
        checked = GuardPipeline(classifier=shared.classifier, injection_model=shared.injection_model,
                                injection_threshold=settings.injection_threshold).check_prompt(
            prompt, principal=principal)
        self.audit.append("guard.prompt", {"decisions": checked.to_dicts()},
                          actor=f"user:{principal}")
        checked.raise_if_blocked()
        llm = None
        if settings.model.lower() != "none":
            from wardflow.llm.client import LLM

            llm = LLM(settings)
        plan = plan_request(checked.text, workdir=workdir,
                            default_currency=settings.approval_currency, llm=llm,
                            inbox_roots=settings.inbox_root_paths(workdir),
                            vendors=[(v.id, v.name) for v in self.erp.vendors()])
        if plan.refused:
            self.audit.append("planner.refused", plan.to_dict(), actor=f"user:{principal}")
        elif plan.action == "process":
            # Refused here, before anything runs or is stored, when it would loosen.
            self.tightened(plan.policy(), source="prompt", by=principal)
        return plan

    def tightened(self, override: PolicyOverride, *, source: str,
                  by: str | None) -> Settings:
        """The settings with a request's ``override`` applied: the one place where a
        prompt, blueprint or API body meets policy (:func:`wardflow.agents.overrides.tighten`).

        Raises:
            PolicyError: the override would loosen policy; the refusal is audited
                (``policy.refused``) and nothing is applied.
        """
        from wardflow.agents.overrides import tighten

        try:
            return tighten(self.settings, override, source=source)
        except PolicyError as err:
            self.audit.append("policy.refused", {
                "rule": "policy-only-tightens", "source": source,
                "requested": override.to_dict(), "violations": err.violations,
            }, actor=f"user:{by}")
            raise

    def inbox_paths(self, paths: Iterable[str | Path], *, by: str | None,
                    workdir: Path | None = None) -> list[Path]:
        """``paths`` resolved, once each (and every file under it) is inside the inbox
        roots (``settings.inbox_roots``); checked before anything is read or stored.

        Raises:
            OutsideInboxRoots: a path escapes the roots; the refusal is audited.
        """
        workdir = workdir or Path.cwd()
        listed = [str(p) for p in paths]
        try:
            return inside_inbox_roots(listed, self.settings.inbox_root_paths(workdir),
                                      workdir=workdir)
        except OutsideInboxRoots as err:
            self.audit.append("policy.refused", {"rule": "inbox-roots", "paths": listed,
                                                 "refused": err.path, "roots": err.roots},
                              actor=f"user:{by}")
            raise

    def rate_limit(self, principal: str, workflow: str) -> None:
        """Count one action of ``principal`` against its own limit and ``workflow``'s
        (``planner``, ``review``, ``runs``), shared by every process of the data home.

        Raises:
            RateLimited: either limit is spent; nothing was done.
        """
        settings = self.settings
        limiter = self.services.rate_limiter  # closed with the services
        limiter.hit(f"principal:{principal}", limit=settings.rate_limit_principal,
                    per_s=settings.rate_limit_window_s)
        limiter.hit(f"workflow:{workflow}", limit=settings.rate_limit_workflow,
                    per_s=settings.rate_limit_window_s)
