"""The answer-scorer seam: an optional stage that re-scores the best candidates.

Fusion (qa/fusion.py) tells on-topic from off-topic; a re-scorer that reads question and
sentence together can tell a sentence that answers from one that is only about the same
thing. Any object with ``score(question, sentences) -> probabilities`` plugs in here
(the shipped one is qa/answer_model.AnswerScorer), and ``blend`` is the one way its
output joins the fused score, in serving and in tuning alike.
"""
from __future__ import annotations

from typing import Protocol, Sequence, runtime_checkable

import numpy as np


@runtime_checkable
class Rescorer(Protocol):
    """Contract: ``score`` returns one probability in [0, 1] per sentence, in order, the
    same for the same input (deterministic), and never raises on empty input."""

    def warm_up(self) -> object: ...

    def score(self, question: str, sentences: Sequence[str]) -> np.ndarray: ...


def top_positions(fused: np.ndarray, n: int) -> np.ndarray:
    """Positions of the ``n`` best fused scores, ties broken by position (stable)."""
    return np.argsort(-fused, kind="stable")[:n]


def blend(fused: np.ndarray, top: np.ndarray, prob: np.ndarray, weight: float) -> np.ndarray:
    """(1 - weight) * fused + weight * prob, where candidates outside ``top`` were not read
    by the re-scorer and count as prob 0: the blend can only lift what it has read."""
    out = (1.0 - weight) * np.asarray(fused, dtype=float)
    out[top] += weight * np.clip(np.asarray(prob, dtype=float), 0.0, 1.0)
    return out
