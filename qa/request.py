"""The request contract, one set of limits for every front end: the CLI, the HTTP API
(qa/serve/apischema.py takes its bounds from here), the chat and the evaluation harness all
go through ``Assistant.ask``, which checks its input with these functions.

- question: a string of 1 to MAX_QUESTION_CHARS characters once control characters are
  spaced out and the ends stripped;
- history: earlier questions of the conversation, oldest first; the last MAX_HISTORY are
  used (the HTTP API refuses more than MAX_HISTORY with 422, since it has no reason to
  be sent more);
- k: answers wanted, 1 to MAX_K (the API refuses more; the library returns at most MAX_K);
- filters: sources (publisher names, case-insensitive), doc_ids, date_from, date_to
  (YYYY-MM-DD); unknown keys are an error.
"""
from __future__ import annotations

import re

import numpy as np

from qa.ingest.corpus import is_iso_date

MAX_QUESTION_CHARS = 2000
MAX_K = 20
MAX_HISTORY = 10
# Control characters, and lone surrogates (they cannot be encoded, so nothing downstream
# could handle them), become spaces.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_FILTER_KEYS = {"sources", "date_from", "date_to", "doc_ids"}


class QuestionError(ValueError):
    """Bad input to ask(): the message is fit to show the user."""


def clean_question(question) -> str:
    if not isinstance(question, str):
        raise QuestionError("question must be a string")
    q = _CONTROL.sub(" ", question).strip()
    if not q:
        raise QuestionError("question is empty")
    if len(q) > MAX_QUESTION_CHARS:
        raise QuestionError(f"question is longer than {MAX_QUESTION_CHARS} characters")
    return q


def clean_history(history) -> list[str]:
    """Earlier questions, cleaned like the question itself; blanks dropped, the last
    MAX_HISTORY kept, each cut to MAX_QUESTION_CHARS."""
    if history is None:
        return []
    if not isinstance(history, (list, tuple)) or not all(isinstance(h, str) for h in history):
        raise QuestionError("history must be a list of strings")
    cleaned = (_CONTROL.sub(" ", h).strip()[:MAX_QUESTION_CHARS] for h in history)
    return [h for h in cleaned if h][-MAX_HISTORY:]


def check_filters(filters) -> dict:
    if filters is None:
        return {}
    if not isinstance(filters, dict):
        raise QuestionError("filters must be an object")
    unknown = set(filters) - _FILTER_KEYS
    if unknown:
        raise QuestionError(f"unknown filter field(s): {', '.join(sorted(map(str, unknown)))}; "
                            f"allowed: {', '.join(sorted(_FILTER_KEYS))}")
    out = {}
    for key in ("sources", "doc_ids"):
        val = filters.get(key)
        if val is not None:
            if isinstance(val, str):
                val = [val]
            if not isinstance(val, list) or not all(isinstance(v, str) for v in val):
                raise QuestionError(f"filter {key} must be a list of strings")
            vals = [v.strip().casefold() if key == "sources" else v for v in val if v.strip()]
            if vals:   # an empty list means "no filter", as an empty selection does in the UI
                out[key] = vals
    for key in ("date_from", "date_to"):
        val = filters.get(key)
        if val is not None:
            if not is_iso_date(val):
                raise QuestionError(f"filter {key} must be a date YYYY-MM-DD")
            out[key] = val
    return out


def article_mask(filters: dict, sources: np.ndarray, doc_ids: np.ndarray, dates: np.ndarray) -> np.ndarray | None:
    """Boolean mask over articles allowed by checked ``filters`` (None: no filtering), given
    the articles' casefolded publishers, ids and dates ("" when unknown). An article without
    a date is outside every date range."""
    if not filters:
        return None
    mask = np.ones(len(doc_ids), dtype=bool)
    if "sources" in filters:
        mask &= np.isin(sources, filters["sources"])
    if "doc_ids" in filters:
        mask &= np.isin(doc_ids, filters["doc_ids"])
    dated = dates != ""
    if "date_from" in filters:
        mask &= dated & (dates >= filters["date_from"])
    if "date_to" in filters:
        mask &= dated & (dates <= filters["date_to"])
    return mask
