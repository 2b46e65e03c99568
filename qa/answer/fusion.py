"""Rank fusion: small pure functions, no state.

The assistant uses ``convex`` on features that are already on absolute scales
(cosine similarity; BM25 divided by the query's idf mass), so one threshold can
decide abstention across queries. ``minmax`` is the classic per-query alternative
that bench/reqa_squad.py compares against; ``rrf`` is the other, tested but not used.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

# How many candidates each retriever hands to fusion: about 10 x k (txtai/pyserini
# practice), with a floor so that near-duplicate copies of a good sentence and the
# sentences of the best passages are all in the pool. Raising it past 100 changed no
# answer on the tuning questions.
CANDIDATES_PER_RETRIEVER = 100


def convex(features: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> np.ndarray:
    """Weighted sum of aligned feature columns. Features without a weight, and weights
    without a feature, are ignored."""
    out = None
    for name, w in weights.items():
        if w == 0 or name not in features:
            continue
        col = np.asarray(features[name], dtype=np.float64) * w
        out = col if out is None else out + col
    if out is None:
        return np.zeros(len(next(iter(features.values()))), dtype=np.float64)
    return out


def minmax(x: np.ndarray) -> np.ndarray:
    """Scale to [0, 1] within one query's candidates (all-equal input gives zeros)."""
    x = np.asarray(x, dtype=np.float64)
    if x.size == 0:
        return x
    lo, hi = float(x.min()), float(x.max())
    return (x - lo) / (hi - lo) if hi > lo else np.zeros_like(x)


def rrf(rankings: Sequence[Sequence[int]], k: int = 60) -> dict[int, float]:
    """Reciprocal rank fusion (Cormack et al. 2009): sum of 1/(k + rank), rank from 1."""
    out: dict[int, float] = {}
    for ranking in rankings:
        for r, doc in enumerate(ranking, start=1):
            out[int(doc)] = out.get(int(doc), 0.0) + 1.0 / (k + r)
    return out
