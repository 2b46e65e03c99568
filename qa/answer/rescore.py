"""The answer-scorer seam: an optional stage that re-scores the best candidates.

Fusion (qa/answer/fusion.py) tells on-topic from off-topic; a re-scorer that reads question and
sentence together can tell a sentence that answers from one that is only about the same
thing. Any object with ``score(question, sentences) -> probabilities`` plugs in here
(the shipped one is qa/answer_model.AnswerScorer), and ``blend`` is the one way its
output joins the fused score, in serving and in tuning alike.
"""
from __future__ import annotations

import logging
from typing import Callable, Optional, Protocol, Sequence, runtime_checkable

import numpy as np

from qa.settings import current

log = logging.getLogger(__name__)


@runtime_checkable
class Rescorer(Protocol):
    """Contract: ``score`` returns one probability in [0, 1] per sentence, in order, the
    same for the same input (deterministic), and never raises on empty input."""

    def warm_up(self) -> object: ...

    def score(self, question: str, sentences: Sequence[str]) -> np.ndarray: ...


def top_positions(fused: np.ndarray, n: int) -> np.ndarray:
    """Positions of the ``n`` best fused scores, ties broken by position (stable)."""
    return np.argsort(-fused, kind="stable")[:n]


def read_rising(fused: np.ndarray, score: Callable[[np.ndarray], np.ndarray], weight: float,
                first: int, most: int) -> tuple[np.ndarray, np.ndarray]:
    """Which candidates the re-scorer reads, and their probabilities: (positions, probs).

    The best ``first`` by fused score are always read; then, best fused first and at most
    ``most`` in all, each next one only while it could still rise to first place, i.e.
    while (1 - weight) * fused + weight (its blend at probability 1) beats the best blend
    read so far. The first one that cannot ends the reading, since every candidate below
    it scores lower. So the best answer is the one reading all ``most`` would give, at a
    fraction of the cost where the fused scores are far apart (docs/tuning.md, session 7:
    the best 1 always, at most 8, read 4.6 news tune candidates per question on average;
    session 17: at most 15, 7.3 on average, the median still 4).
    ``score(positions)`` gives the probabilities of the candidates at those positions."""
    fused = np.asarray(fused, dtype=float)

    def blended(i: int, p: float) -> float:          # ``blend`` for one candidate
        return (1.0 - weight) * fused[i] + weight * p

    order = top_positions(fused, most)
    top = [int(i) for i in order[:first]]
    probs = [float(p) for p in np.asarray(score(order[:first]), dtype=float)] if top else []
    best = max((blended(i, p) for i, p in zip(top, probs)), default=-np.inf)
    for i in order[len(top):]:
        if blended(i, 1.0) <= best:
            break
        p = float(np.asarray(score(np.array([i])), dtype=float)[0])
        top.append(i)
        probs.append(p)
        best = max(best, blended(i, p))
    return np.asarray(top, dtype=int), np.asarray(probs, dtype=float)


def blend(fused: np.ndarray, top: np.ndarray, prob: np.ndarray, weight: float) -> np.ndarray:
    """(1 - weight) * fused + weight * prob, where candidates outside ``top`` were not read
    by the re-scorer and count as prob 0: the blend can only lift what it has read."""
    out = (1.0 - weight) * np.asarray(fused, dtype=float)
    out[top] += weight * np.clip(np.asarray(prob, dtype=float), 0.0, 1.0)
    return out


def default_rescorer(weight: float) -> tuple[Optional[Rescorer], str]:
    """The shipped answer model when the stage has a weight and the model is there
    (QA_ANSWER_MODEL names another folder, or ``off``), with one line saying which:
    (rescorer or None, status)."""
    spec = current().answer_model
    if weight <= 0:
        return None, "off (AskConfig.rescore_weight is 0)"
    if spec == "off":
        return None, "off (QA_ANSWER_MODEL=off)"
    from qa.answer.answer_model import AnswerScorer, model_path, unavailable_reason

    reason = unavailable_reason(spec)
    if reason:
        log.warning(reason)
        return None, f"off: {reason}"
    return AnswerScorer(spec), f"on ({model_path(spec)})"
