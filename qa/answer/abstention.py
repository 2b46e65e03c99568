"""When ``ask()`` says it found nothing, decided on a ranking (``Assistant._rank``'s:
rows, fused scores, the answer model's probabilities, cosines; best first).

It abstains when the best answer scores below the threshold or is unrelated in meaning to
the question (``abstains``); when the question asks what a named speaker said and no
answer gives that speaker's words (``quotes_nobody_asked``); and, with the answer-model
stage on, when the first answer lacks the value the question asks for and the model doubts
it (``withholds``). docs/tuning.md says how each was chosen (sessions 9, 10 and 11).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from qa.answer.compose import context
from qa.answer.disagree import MARGIN
from qa.answer.numbers import tells_quantity
from qa.answer.retrieve import Query, asks_count, lacks_asked_value
from qa.answer.speakers import gives_words

if TYPE_CHECKING:
    from qa.answer.engine import Assistant

SPEAKER_POOL = 20   # answers read for the asked speaker's words (quotes_nobody_asked)


def threshold(a: "Assistant") -> float:
    """The score an answer needs: the stage's threshold when it is on."""
    return a.config.rescore_threshold if a.rescoring else a.config.threshold


def abstains(a: "Assistant", score: float, prob: float, similar: float = 1.0) -> bool:
    """Below the threshold, unrelated in meaning (``similar``: the best answer's cosine,
    below ``min_similarity``), or (stage on) the re-scorer doubts the best answer."""
    cfg = a.config
    if similar < cfg.min_similarity:
        return True
    return score < threshold(a) or (a.rescoring and cfg.rescore_gate > 0 and not prob >= cfg.rescore_gate)


def withholds(a: "Assistant", query: Query, ranked) -> bool:
    """Does ``ask`` abstain on this ranking? When ``abstains`` says so, when no answer gives
    the words of the speaker the question asks about (``quotes_nobody_asked``), when asked
    how many or how much neither the first answer nor one scoring near it says any
    quantity (``counts_nothing``), or (stage
    on) when the first answer lacks the value the question asks for (``lacks_asked_value``)
    and the re-scorer gives it less than ``lacking_gate``."""
    if ranked is None:
        return True
    row, score, prob, similar = (col[0] for col in ranked)
    if abstains(a, score, prob, similar) or quotes_nobody_asked(a, query, ranked):
        return True
    if counts_nothing(a, query, ranked):
        return True
    gate = a.config.lacking_gate
    return (a.rescoring and gate > 0 and bool(prob < gate)
            and lacks_asked_value(query, a.sentence_text(int(row))))


def counts_nothing(a: "Assistant", query: Query, ranked) -> bool:
    """Asked how many or how much (``asks_count``), does no answer near the best
    (``near_best``) say any quantity (``tells_quantity``), so that none can answer?"""
    return asks_count(query) and not any(tells_quantity(a.sentence_text(int(i))) for i in near_best(a, ranked))


def near_best(a: "Assistant", ranked) -> np.ndarray:
    """The rows of the ranking scoring above the threshold and within ``disagree.MARGIN`` of
    the best: the answers a reader weighs against the first."""
    rows, score = ranked[0], ranked[1]
    return rows[(score >= threshold(a)) & (score >= score[0] - MARGIN)]


def quotes_nobody_asked(a: "Assistant", query: Query, ranked) -> bool:
    """Asked what a named speaker said ("What did <X> say about …?"), do none of the answers
    (those scoring above the threshold, the best SPEAKER_POOL) report words of theirs? A
    sentence about X that does not give X's words is not what X said. Not read when X's
    name is one the articles also give in another form (initials or their expansion,
    ``Query.alias``): X may speak under that form. Another name's initials in the question
    ("What did <X> say about the TWU?") change nothing."""
    if query.speaker is None:
        return False
    spoken = frozenset(a.built.tokenizer(" ".join(query.speaker[1])))
    if any(spoken & frozenset(written) for written, _ in query.alias):
        return False
    rows, score = ranked[0], ranked[1]
    kept = rows[score >= threshold(a)]
    return not any(gives_words(query.speaker, a.sentence_text(int(i)), **context(a.built, int(i), a.sentence_text))
                   for i in kept[:SPEAKER_POOL])
