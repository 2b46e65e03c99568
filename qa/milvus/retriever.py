"""The Milvus retriever behind the Retriever seam (qa/answer/retriever.py).

Candidate generation runs in Milvus: BM25 top-N and dense top-N over the sentence
collection, with the question's filters pushed into the filter expression, then the
exact copies (same sentence in other articles) of any candidate, so a sentence printed
by several outlets is cited from each of them, as the in-process retriever does. The
union goes back as local sentence rows; the product's own scoring, grouping and
citations run on them from the local tables.

The in-process retriever also proposes every sentence of the 20 best BM25 passages.
This one does not: on 1,000 ReQA-SQuAD questions (odd articles) dropping them changed
MRR@10 by 0.0008, and on the 138 seed questions nothing (docs/scale-out.md).
"""
from __future__ import annotations

import threading
from typing import Optional

import numpy as np

from qa.answer.fusion import CANDIDATES_PER_RETRIEVER
from qa.milvus.collection import SentenceCollection, quote
from qa.milvus.connection import MilvusSettings, from_settings


def filter_expr(filters: dict) -> str:
    """The checked filters (engine.check_filters) as a Milvus expression: the same
    articles ``Assistant.doc_mask`` allows. An undated article ("") passes no date
    bound: "" sorts before every date, and ``date != ""`` guards the upper bound."""
    parts = []
    if filters.get("sources"):
        parts.append("source in [" + ",".join(quote(s) for s in filters["sources"]) + "]")
    if filters.get("doc_ids"):
        parts.append("doc_id in [" + ",".join(quote(d) for d in filters["doc_ids"]) + "]")
    if filters.get("date_from"):
        parts.append(f"date >= {quote(filters['date_from'])}")
    if filters.get("date_to"):
        parts.append(f'date != "" and date <= {quote(filters["date_to"])}')
    return " and ".join(parts)


def bm25_text(query, analyzer: str) -> str:
    """What Milvus's BM25 reads for ``query`` (qa.answer.retrieve.Query). ``qa``: the product's
    own tokens (spelling read, history terms of a follow-up included); ``english``: the
    question in words, which for a follow-up carries the earlier question too."""
    if analyzer == "qa":
        return " ".join([*query.tokens, *(t for t, _ in query.extra)])
    return query.dense_text


class MilvusRetriever:
    """Connects on first use (``warm_up`` or the first question), checks that the
    collection describes the assistant's local index, then serves candidates."""

    def __init__(self, assistant, settings: MilvusSettings, per_retriever: int = CANDIDATES_PER_RETRIEVER):
        self.assistant = assistant
        self.settings = settings.check()
        self.per_retriever = per_retriever
        self._col: Optional[SentenceCollection] = None
        self._lock = threading.Lock()

    @property
    def collection(self) -> SentenceCollection:
        if self._col is None:
            with self._lock:
                if self._col is None:
                    col = SentenceCollection(self.settings)
                    where = getattr(self.assistant, "index_dir", None)
                    try:
                        col.check(self.assistant.built, f"the index at {where}" if where else "the local index")
                        _ = col.analyzer, col.dense_index
                    except BaseException:
                        col.close()
                        raise
                    self._col = col
        return self._col

    def warm_up(self) -> "MilvusRetriever":
        _ = self.collection
        return self

    def close(self, stop_lite: bool = False) -> None:
        with self._lock:
            if self._col is not None:
                self._col.close(stop_lite)
                self._col = None

    def candidates(self, request) -> np.ndarray:
        col = self.collection
        expr = filter_expr(request.filters)
        c = self.per_retriever
        cand = np.union1d(col.search_bm25(bm25_text(request.query, col.analyzer), c, expr),
                          col.search_dense(request.vector, c, expr))
        a = self.assistant
        sids = a.built.tables.sent_ids
        cand = cand[cand < len(sids)]          # never a row the local tables lack
        # Copies are found in the local tables; Milvus says which it still holds and
        # which the filters allow (a primary-key lookup).
        copies = [j for i in cand.tolist() for j in a.copies.get(sids[i], ())]
        if copies:
            cand = np.union1d(cand, col.present(copies, expr))
        return cand.astype(np.int64)


def create(assistant) -> MilvusRetriever:
    """The factory named in the settings (QA_RETRIEVER=qa.milvus:create): URI and token
    from ``assistant.settings`` when the assistant carries one, else from this process's
    settings (QA_MILVUS_URI, QA_MILVUS_TOKEN; qa/settings.py)."""
    return MilvusRetriever(assistant, from_settings(getattr(assistant, "settings", None)))
