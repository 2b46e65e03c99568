"""Other outlets' versions of a top answer, so that a disagreement is shown with both sides.

The ranker scores sentences against the question. An outlet that tells the same statement
differently (another verb, another speaker, a quote cut or worded elsewhere) can rank far
below the outlet it differs from, and then the reader never learns that the sources differ.
So each answer near the top is looked up in the other articles twice:
- by meaning: the sentences whose embedding is nearest to it, at cosine MIN_COSINE or more
  (a claim told in other words);
- by the words it quotes: the sentences scoring best for BM25 on its quoted words (one
  quote, worded a little differently, inside otherwise different sentences: their
  embeddings can be far apart, cosine 0.47 in a case measured on the seed articles).
Each sentence found is offered to ``differs`` (qa.answer.tellings.differs), which keeps
those that tell the same statement differently. Nothing here decides what a disagreement is.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from qa.index.bm25 import top_k

SEARCH_K = 3          # nearest sentences of the other articles read per answer and search
MIN_COSINE = 0.6      # below this two sentences are rarely one claim (MiniLM cosine)
MAX_ANSWERS = 1       # answers looked up: the one a reader reads first (qa.answer.disagree)


def by_meaning(vectors, dense_search: Callable) -> Callable[[int, np.ndarray], list[int]]:
    """Search: the sentences nearest to sentence ``row`` among ``allowed`` ones."""
    def search(row: int, allowed: np.ndarray) -> list[int]:
        ids, sims = dense_search(np.asarray(vectors[row], np.float32), SEARCH_K, allowed)
        return [int(j) for j, s in zip(ids, sims) if s >= MIN_COSINE]
    return search


def by_words(bm25, terms_of: Callable[[int], list[str]]) -> Callable[[int, np.ndarray], list[int]]:
    """Search: the best BM25 sentences for the terms ``terms_of(row)`` (none: no search)."""
    def search(row: int, allowed: np.ndarray) -> list[int]:
        terms = terms_of(row)
        if not terms:
            return []
        ids, _ = top_k(np.where(allowed, bm25.get_scores(terms), 0.0), SEARCH_K)
        return [int(j) for j in ids]
    return search


def without_articles(s_doc: np.ndarray, docs: set[int]) -> np.ndarray:
    """A mask of the sentences not in articles ``docs``. ``s_doc`` is non-decreasing (an
    index stores its sentences article by article, and its loading checks it), so each
    article is one run found by two binary searches, not a pass over every sentence."""
    allowed = np.ones(len(s_doc), bool)
    d = np.fromiter(docs, s_doc.dtype, len(docs))     # in its dtype: no conversion of s_doc
    for a, b in zip(np.searchsorted(s_doc, d, "left"), np.searchsorted(s_doc, d, "right")):
        allowed[a:b] = False
    return allowed


def other_versions(searches: Sequence[Callable[[int, np.ndarray], list[int]]], s_doc: np.ndarray,
                   rows: Sequence[int], cited: Sequence[set[int]],
                   differs: Callable[[int, int], str | None], doc_ok: np.ndarray | None = None
                   ) -> list[tuple[int, int, str]]:
    """(answer position, sentence row, kind) for each sentence of another article that tells
    answer ``rows[pos]``'s statement differently. ``cited[pos]``: the articles answer
    ``pos`` already cites (never searched); ``differs(row_a, row_b)``: the test, giving the
    kind of difference or None;
    ``doc_ok``: the articles the question's filters allow (None: all)."""
    found: list[tuple[int, int, str]] = []
    taken = set(rows[:MAX_ANSWERS])      # a shown answer further down may be a version
    for pos, row in enumerate(rows[:MAX_ANSWERS]):
        allowed = without_articles(s_doc, cited[pos])
        if doc_ok is not None:
            allowed &= doc_ok[s_doc]
        if not allowed.any():
            continue
        for j in dict.fromkeys(j for search in searches for j in search(int(row), allowed)):
            kind = differs(int(row), j) if j not in taken else None
            if kind:
                found.append((pos, j, kind))
                taken.add(j)
    return found
