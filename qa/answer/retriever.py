"""The retriever seam: question + filters -> candidate sentences.

A retriever only proposes candidates (rows of the index's sentence table); the product's
own scoring (qa/answer/retrieve.py ``features``, qa/answer/fusion.py), grouping and citations run on
whatever it proposes, so an answer has the same shape and verbatim offsets whichever
retriever served it. ``InProcessRetriever`` (BM25 over sentences and passages plus faiss)
is the first implementation; another is one module with a factory named in
``QA_RETRIEVER`` ("package.module:factory", called with the Assistant).
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Optional, Protocol, runtime_checkable

import numpy as np

from qa.index.bm25 import top_k
from qa.answer.fusion import CANDIDATES_PER_RETRIEVER


@dataclass
class Request:
    """What a retriever may read. ``local`` holds the in-process BM25 score vectors
    (qa/answer/retrieve.py ``bm25_scores``), which the scoring needs anyway: the in-process
    retriever reuses them instead of scoring twice; others may ignore them."""
    query: object                      # qa.answer.retrieve.Query: text, tokens, dense_text, ...
    vector: np.ndarray                 # the question's unit embedding
    filters: dict = field(default_factory=dict)   # checked filters (engine.check_filters)
    doc_mask: Optional[np.ndarray] = None          # the same filters as a mask over articles
    local: dict = field(default_factory=dict)


@runtime_checkable
class Retriever(Protocol):
    """Contract: ``candidates`` returns sorted, unique sentence-table rows (int64), only
    from articles the filters allow, and the same rows for the same request."""

    def warm_up(self) -> object: ...

    def candidates(self, request: Request) -> np.ndarray: ...


class InProcessRetriever:
    """Union of BM25-sentence, BM25-passage (every sentence of the best passages) and
    dense top candidates, plus the exact copies of any candidate in other articles."""

    def __init__(self, assistant, per_retriever: int = CANDIDATES_PER_RETRIEVER):
        self.assistant = assistant
        self.per_retriever = per_retriever

    def warm_up(self) -> "InProcessRetriever":
        return self

    def candidates(self, request: Request) -> np.ndarray:
        a = self.assistant
        b, c = a.built, self.per_retriever
        t = b.tables
        s_bm, p_bm = request.local["s_bm"], request.local["p_bm"]
        sent_mask = None if request.doc_mask is None else request.doc_mask[t.s_doc]
        parts = [top_k(s_bm, c)[0]]
        for p in top_k(p_bm, max(10, c // 5))[0]:
            parts.append(np.arange(a.passage_first[p], a.passage_first[p + 1]))
        # A filter is applied inside faiss (an ID selector), so a filtered question costs
        # about what an unfiltered one does (1M sentences, one publisher: 638 -> 43 ms).
        parts.append(b.dense.search(request.vector, c, allowed=sent_mask)[0])
        cand = np.unique(np.concatenate(parts).astype(np.int64))
        if a.copies:
            extra = [j for i in cand for j in a.copies.get(t.sent_ids[i], ())]
            if extra:
                cand = np.unique(np.concatenate([cand, np.asarray(extra, np.int64)]))
        return cand if sent_mask is None else cand[sent_mask[cand]]


def load_retriever(spec: str | None, assistant) -> Retriever:
    """``None``/"" / "inprocess": the in-process retriever; "module:factory": that factory,
    called with the assistant (a clear ValueError when it cannot be found)."""
    if not spec or spec == "inprocess":
        return InProcessRetriever(assistant)
    module, _, name = spec.partition(":")
    try:
        factory = getattr(importlib.import_module(module), name or "create")
    except (ImportError, AttributeError) as e:
        raise ValueError(f"retriever {spec!r} cannot be loaded: {e}") from None
    retriever = factory(assistant)
    if not isinstance(retriever, Retriever):
        raise ValueError(f"retriever {spec!r} does not provide warm_up() and candidates(request)")
    return retriever
