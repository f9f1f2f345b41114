"""What the API returns: inbox rows and case details, as plain JSON-safe dicts.

The case detail carries the document's extracted text with the evidence span of
every field, checked against the text, so the page can highlight where each value was
read without trusting offsets that do not match.

Each role sees what the vault lets it see (:mod:`wardflow.review.disclosure`): a
clerk gets the text, fields and reasons with personal data as the vault's tokens, the
evidence spans moved to match, and no original document.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from wardflow.errors import CorruptDocument, StorageError
from wardflow.review.disclosure import Redactor, reveals
from wardflow.review.passages import guard_passages
from wardflow.review.payloads import ReviewRequest
from wardflow.review.status import case_status, status_of_request
from wardflow.runstate import DocumentInfo, ExtractedField, Routing
from wardflow.tools.documents import DocumentLimits
from wardflow.web.preview import evidence_boxes

if TYPE_CHECKING:
    from wardflow.runtime.workspace import Workspace

__all__ = ["case_detail", "document_key", "evidence_spans", "for_role", "inbox", "inbox_row"]


def _value(case: ReviewRequest, name: str) -> Any:
    return ExtractedField.of(case.fields.get(name)).value


def inbox_row(case: ReviewRequest, *, risk_threshold: float) -> dict[str, Any]:
    """One line of the inbox: enough to choose a case, with its status
    (:func:`wardflow.review.status.case_status`)."""
    return {
        "thread_id": case.thread_id,
        "document": case.document.get("name"),
        "vendor": _value(case, "vendor"),
        "invoice_number": _value(case, "invoice_number"),
        "total": _value(case, "total"),
        "currency": _value(case, "currency"),
        "risk": float(case.risk.get("score", 0.0)),
        "confidence": case.confidence,
        "required_role": case.required_role,
        "reasons": [reason.code for reason in case.reasons],
        "deadline": case.deadline,
        "refused": case.refused,
        "status": status_of_request(case, risk_threshold=risk_threshold).to_dict(),
    }


def inbox(ws: Workspace, role: str) -> list[dict[str, Any]]:
    """The inbox rows ``role`` may see (personal data as tokens for a clerk)."""
    rows = [inbox_row(case, risk_threshold=ws.settings.risk_threshold) for case in ws.inbox()]
    if reveals(role):
        return rows
    return [Redactor(ws.services.vault, row["thread_id"]).data(row) for row in rows]


def for_role(ws: Workspace, thread_id: str, role: str, data: dict[str, Any]
             ) -> dict[str, Any]:
    """``data`` about the run ``thread_id`` as ``role`` may see it: unchanged for a role
    the vault reveals personal data to, else with personal data as the run's tokens."""
    if reveals(role):
        return data
    return dict(Redactor(ws.services.vault, thread_id).data(data))


def evidence_spans(text: str, fields: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Non-overlapping ``{start, end, fields}`` segments of ``text`` that are evidence.

    A field's span counts only if its offsets are inside ``text`` and the text there is
    the evidence text the extractor recorded (a corrected field has no span). Where
    spans overlap, a segment lists every field that covers it.
    """
    spans: list[tuple[int, int, str]] = []
    for name, field in fields.items():
        evidence = field.get("evidence") or {}
        start, end = evidence.get("start"), evidence.get("end")
        if not isinstance(start, int) or not isinstance(end, int):
            continue
        if 0 <= start < end <= len(text) and text[start:end] == evidence.get("text"):
            spans.append((start, end, name))
    bounds = sorted({b for start, end, _ in spans for b in (start, end)})
    segments: list[dict[str, Any]] = []
    for left, right in zip(bounds, bounds[1:], strict=False):
        covering = [name for start, end, name in spans if start <= left and right <= end]
        if not covering:
            continue
        last = segments[-1] if segments else None
        if last is not None and last["end"] == left and last["fields"] == covering:
            last["end"] = right
        else:
            segments.append({"start": left, "end": right, "fields": covering})
    return segments


def document_key(values: Mapping[str, Any]) -> str | None:
    """Where the run's document is in storage now (archived documents move)."""
    archived = values.get("archive_key")
    if archived and not str(archived).endswith(".json"):
        return str(archived)
    key = DocumentInfo.of(values.get("document")).storage_key
    return str(key) if key else None


def case_detail(ws: Workspace, thread_id: str, *, role: str) -> dict[str, Any]:
    """Everything the page shows ``role`` for one run, paused or not.

    Raises:
        RunNotFound: no run has this thread id.
    """
    detail = _case_detail(ws, thread_id)
    if reveals(role):
        return detail
    return _tokenized(detail, Redactor(ws.services.vault, thread_id), role)


def _tokenized(detail: dict[str, Any], redactor: Redactor, role: str) -> dict[str, Any]:
    """``detail`` as a role that may not see personal data sees it."""
    text, moved = redactor.text_with_offsets(detail["text"])
    out: dict[str, Any] = redactor.data({k: v for k, v in detail.items() if k != "text"})
    out["text"] = text
    spans: list[dict[str, Any]] = []
    for span in detail["highlights"]:
        start, end = moved(span["start"], False), moved(span["end"], True)
        if spans and (spans[-1]["start"], spans[-1]["end"]) == (start, end):
            spans[-1]["fields"] = sorted({*spans[-1]["fields"], *span["fields"]})
        else:
            spans.append({"start": start, "end": end, "fields": span["fields"]})
    out["highlights"] = spans
    for raw, passage in zip(detail["passages"], out["passages"], strict=True):
        passage["start"], passage["end"] = moved(raw["start"], False), moved(raw["end"], True)
        passage["text"] = text[passage["start"]:passage["end"]]
    out["boxes"] = {}  # they point into the original, which this role does not see
    raw_fields = (detail.get("request") or {}).get("fields") or {}
    for name, field in ((out.get("request") or {}).get("fields") or {}).items():
        _move_evidence(raw_fields[name].get("evidence"), field.get("evidence"), detail["text"],
                       text, moved)
    out["document"]["available"] = False
    out["document"]["withheld"] = (f"a {role} sees the extracted text with personal data as"
                                   " tokens; the original document is for roles that may see"
                                   " personal data")
    return out


def _move_evidence(raw: Any, evidence: Any, raw_text: str, text: str,
                   moved: Callable[[int, bool], int]) -> None:
    """Point a field's evidence into the tokenized ``text``, if it pointed into the raw
    text; its text is then the tokenized text there (found with the context around it)."""
    if not isinstance(raw, dict) or not isinstance(evidence, dict):
        return
    start, end = raw.get("start"), raw.get("end")
    if (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(raw_text)
            and raw_text[start:end] == raw.get("text")):
        evidence["start"], evidence["end"] = moved(start, False), moved(end, True)
        evidence["text"] = text[evidence["start"]:evidence["end"]]


def _case_detail(ws: Workspace, thread_id: str) -> dict[str, Any]:
    snapshot = ws.state(thread_id)
    values = snapshot.values
    request = (ReviewRequest.model_validate(snapshot.interrupts[0].value)
               if snapshot.interrupts else None)
    extraction = values.get("extraction") or {}
    fields = request.fields if request else extraction.get("fields") or {}
    text = str(values.get("text") or "")
    document = values.get("document") or {}
    reasons = [r.model_dump(mode="json") for r in request.reasons] if request else \
        Routing.of(values.get("decision")).reasons
    passages = [p.to_dict() for p in guard_passages(reasons, text)]
    status = case_status(reasons, values.get("risk") or {}, values.get("compliance") or {},
                         risk_threshold=ws.settings.risk_threshold)
    return {
        "thread_id": thread_id,
        "summary": ws.status(thread_id)[0].to_dict(),
        "request": request.model_dump(mode="json") if request else None,
        "document": {
            "name": document.get("name") or values.get("name"),
            "media_type": document.get("media_type"),
            "pages": int(extraction.get("pages") or 1),
            "method": values.get("text_method"),
            "available": document_key(values) is not None,
        },
        "text": text,
        "highlights": evidence_spans(text, fields),
        "line_items": extraction.get("line_items") or [],
        "status": status.to_dict(),
        # The conditions that make a comment required to approve or reject this case.
        "comment_required": [c for c in ws.settings.comment_required_for
                             if c in status.conditions],
        "passages": passages,
        "boxes": _boxes(ws, values, text, fields, passages),
    }


def _boxes(ws: Workspace, values: Mapping[str, Any], text: str,
           fields: Mapping[str, Mapping[str, Any]], passages: list[dict[str, Any]]
           ) -> dict[str, list[dict[str, float]]]:
    """Page boxes of each field's evidence (``field:NAME``) and each guard passage
    (``passage:N``), where the original's text layer gives them."""
    spans: dict[str, tuple[int, int]] = {}
    for segment in evidence_spans(text, fields):
        for name in segment["fields"]:
            start, end = spans.get(f"field:{name}", (segment["start"], segment["end"]))
            spans[f"field:{name}"] = (min(start, segment["start"]), max(end, segment["end"]))
    for passage in passages:
        spans[f"passage:{passage['number']}"] = (passage["start"], passage["end"])
    key = document_key(values)
    media_type = str(DocumentInfo.of(values.get("document")).media_type or "")
    if key is None or media_type != "application/pdf" or not spans:
        return {}
    try:
        data = ws.storage.get(key)
        return evidence_boxes(data, media_type, text, spans,
                              limits=DocumentLimits.from_settings(ws.settings))
    except (StorageError, CorruptDocument):
        return {}
