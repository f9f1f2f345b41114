"""The Slack webhook: a reviewer's button click, signed by Slack, decides as the
principal linked to their Slack user id (``wardflow principals slack``).

::

    POST /api/slack/actions                  Slack interactive message (signed)

Kept apart from :mod:`wardflow.web.slack` (signatures, payloads, the user links),
which the CLI uses without the web extra.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from wardflow.errors import ReviewError, WardflowError
from wardflow.review.payloads import ReviewDecision
from wardflow.web._context import AppContext
from wardflow.web._deps import error_response
from wardflow.web.slack import SlackAction, SlackError, SlackUsers, parse_action, verify_request

__all__ = ["SLACK_SECRET_ENV", "slack_router"]

log = logging.getLogger(__name__)

SLACK_SECRET_ENV = "WARDFLOW_SLACK_SIGNING_SECRET"
_MAX_WEBHOOK_BYTES = 64 * 1024


def slack_router(ctx: AppContext) -> APIRouter:
    """The webhook Slack calls when a reviewer clicks a button."""
    router = APIRouter()

    @router.post("/api/slack/actions")
    async def slack_actions(request: Request) -> JSONResponse:
        if ctx.slack_secret is None:
            return error_response(503, f"the Slack webhook is off: set {SLACK_SECRET_ENV}")
        body = await request.body()
        if len(body) > _MAX_WEBHOOK_BYTES:
            return error_response(413, "request body too large")
        try:
            verify_request(ctx.slack_secret, request.headers.get("X-Slack-Request-Timestamp"),
                           request.headers.get("X-Slack-Signature"), body, now=ctx.clock())
        except SlackError as err:
            log.warning("Slack request refused: %s", err)
            return error_response(401, str(err))
        try:
            action = parse_action(body)
        except SlackError as err:
            return error_response(400, str(err))
        text = await run_in_threadpool(_slack_decide, ctx, action)
        return JSONResponse({"response_type": "ephemeral", "replace_original": False,
                             "text": text})

    return router


def _slack_decide(ctx: AppContext, action: SlackAction) -> str:
    """The reply text: the outcome, or the refusal and its reason."""
    # By the stable user id: a Slack user can rename themselves to anyone.
    users = SlackUsers(ctx.settings.review_path, busy_timeout_s=ctx.settings.sqlite_busy_timeout_s)
    try:
        name = users.principal(action.user_id)
    finally:
        users.close()
    if name is None:
        log.warning("Slack decision from unlinked user %s refused", action.user_id)
        return (f"refused: unknown-reviewer: Slack user {action.user_id} is not linked to a"
                f" principal (`wardflow principals slack NAME {action.user_id}`)")
    thread = action.thread_id
    # A button carries no reason: where policy asks for one (a flagged, high-risk or
    # over-limit case) the click is refused, never passed with a made-up comment.
    decision = ReviewDecision(decision=action.decision, by=name, args_hash=action.args_hash)
    try:
        summary = ctx.decide(thread, decision)
    except ReviewError as err:
        if "comment-required" in str(err):
            return (f"refused: {err}. A Slack button carries no reason: decide on the review"
                    f" page, or `wardflow review {thread} --{decision.decision} --reason ...`")
        return f"refused: {err}"
    except WardflowError as err:
        return f"error: {err}"
    posting = f" ({summary.posting_id})" if summary.posting_id else ""
    return f"{decision.decision}: {thread} is now {summary.status}{posting}"
