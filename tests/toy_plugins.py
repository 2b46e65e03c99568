"""Toy pipeline plug-ins for the seam tests: each is one module-level factory, named in the
settings as "toy_plugins:NAME", exactly as a real retriever or re-scorer would be."""
from __future__ import annotations

import numpy as np


class FirstArticleRetriever:
    """Proposes only the sentences of the first article (in index order) that the filters
    allow: a retriever that is obviously not the in-process one."""

    def __init__(self, assistant):
        self.assistant = assistant

    def warm_up(self):
        return self

    def candidates(self, request):
        t = self.assistant.built.tables
        rows = np.arange(len(t.sent_ids), dtype=np.int64)
        allowed = np.ones(len(self.assistant.built.articles), bool) if request.doc_mask is None else request.doc_mask
        docs = np.flatnonzero(allowed)
        return rows[t.s_doc == docs[0]] if len(docs) else rows[:0]


def first_article(assistant):
    return FirstArticleRetriever(assistant)


def not_a_retriever(assistant):
    return object()
