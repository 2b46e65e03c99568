"""When the articles disagree, say so: different figures for what the question asks, or
one statement quoted in different words by different outlets.

Only answers scoring within MARGIN of the best are compared: a figure further down the
list is usually about something else. Two sides never share an article (an article that
gives both figures holds them both true, so they count different things), and answers
from articles published more than a week apart (``dedup.same_occasion``) report different
occasions, so they are not compared; nor, asked about a time, are an undated article's
figures and those of an article dated then (``placed``).

Figures. Values are read with what they count (qa.answer.quantities: "as many as 2,000 workers"
and "hundreds of staff" are both people; "2,000" = "two thousand"). Two answers
disagree when they give values of one unit that cannot both hold. Only the unit the
question asks about counts ("how many members" wants people, "what was the vote" a
tally), else those of the answer type it wants (qa.answer.answer_type); a question that asks
no quantity never gets this note.

Figures are also checked against the best answer of another article (same occasion) that
gives the asked quantity, however far down the ranking, for the first of the shown answers
that gives one (``asked_figures``, ``conflicting``; qa.answer.compose adds that answer): outlets that disagree
on a count often say it in sentences the question ranks far apart.

Attribution is only checked against another outlet's version of the first answer
(qa.answer.versions, which searches with ``tellings.differs``), whatever that version scored: the
label then speaks of the answer the reader reads first. Checked among all near answers, it
fired on questions about something else whenever both versions happened to rank near the
top (8 of 130 questions of seeds/questions.jsonl flagged, docs/evaluation.md).

How two sentences tell one statement differently (quotes worded otherwise, one speaker's
verdict in other words, a detail more, another speaker, another form of a name) is read by
qa.answer.tellings, and who speaks in a sentence by qa.answer.speakers (asked who said
something, two near answers quoting the asked words from different speakers); this module
decides which pairs of answers to compare.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Callable, Optional, Sequence

from qa.answer.answer_type import question_type
from qa.answer.dedup import same_occasion
from qa.answer.modality import asks_settled, settled_figures
from qa.answer.quantities import asked_quantity, figures, overlap, same_unit
from qa.answer.speakers import asks_speaker, other_speakers, quoted_asked, speakers_of
from qa.answer.speech import named
from qa.answer.tellings import asks_view, content_words, extended, quotes, reworded, verdict_speaker
from qa.answer.when import in_period, named_period
from qa.types import Answer

FIGURES = "The articles give different figures."
WORDING = "The outlets quote these words differently."
ATTRIBUTION = "The outlets attribute this to different sources."
NAMING = "The outlets give this different names."
DETAIL = "One outlet says more here than the other."
MESSAGES = {"figures": FIGURES, "wording": WORDING, "attribution": ATTRIBUTION, "naming": NAMING, "detail": DETAIL}
MARGIN = 0.15            # compare answers scoring within this of the best (docs/evaluation.md)
SHOWN = 3                # and the first answers, which a reader sees whatever their scores


@dataclass(frozen=True)
class Disagreement:
    kind: str                                 # "figures", "wording", "attribution", "naming" or "detail"
    message: str
    answers: tuple[tuple[int, ...], ...]      # one tuple of answer indices per side


def disagreements(question: str, answers: Sequence[Answer], margin: float = MARGIN,
                  floor: float = 0.0, versions: Sequence[tuple[int, int, str]] = ()) -> tuple[Disagreement, ...]:
    """The disagreements among ``answers`` (best first) about ``question``. Only answers
    scoring at least ``floor`` and within ``margin`` of the best are compared; besides,
    ``versions`` are (answer, another outlet's version of it, kind) as qa.answer.compose
    found them, reported whatever their score."""
    if not answers:
        return ()
    best = max(a.score for a in answers)
    near = [i for i, a in enumerate(answers) if a.score >= floor and (i < SHOWN or a.score >= best - margin)]
    period = named_period(question)
    found = _figures(question, answers, near, period)
    told = ((found,) if found else ()) + _wording(answers, near) + _verdicts(question, answers, near) \
        + _details(question, answers, near) + _speakers(question, answers, near)
    seen = {(d.kind, d.answers) for d in told}
    others: dict[tuple[int, str], list[int]] = {}     # one group per answer and kind
    for i, j, kind in versions:
        if not (kind == "figures" and found) and (kind, ((i,), (j,))) not in seen \
                and _comparable(answers, (i,), (j,)) and (kind != "figures" or placed(answers, (i,), (j,), period)):
            others.setdefault((i, kind), []).append(j)
    return told + tuple(Disagreement(kind, MESSAGES[kind], ((i,), tuple(sorted(js))))
                        for (i, kind), js in others.items())


# ------------------------------------------------------------------ figures
def wanted(question: str) -> Optional[Callable[[str], bool]]:
    """Which units answer the question: its own noun after "how many", a tally for a vote,
    else those of the answer type it wants; None when it asks no quantity."""
    fits = asked_quantity(question)
    if fits is not None:
        return fits
    kind = question_type(question)
    return {"duration": lambda u: u.startswith("duration"), "date": lambda u: u in ("year", "date"),
            "money": lambda u: u.startswith("money:"),
            "number": lambda u: not u.startswith(("duration", "money:")) and u not in ("year", "date")}.get(kind)


def asked_figures(fits: Optional[Callable[[str], bool]], text: str, settled: bool = False) -> list:
    """The figures of ``text`` whose unit ``fits`` (``wanted(question)``; None: none); with
    ``settled`` (the question asks a settled figure: qa.answer.modality), those stated as
    facts: outlets' different prospects do not disagree about what happened."""
    if fits is None:
        return []
    return [f for f in (settled_figures(text) if settled else figures(text)) if fits(f.unit)]


def conflicting(mine: Sequence, theirs: Sequence) -> bool:
    """Do two articles' figures of one unit disagree, none of them agreeing with another?"""
    return any(same_unit(f.unit, m.unit) for f in theirs for m in mine) and \
        not any(overlap(f, m) for f in theirs for m in mine)


def _figures(question: str, answers: Sequence[Answer], near: list[int], period: Optional[tuple]
             ) -> Optional[Disagreement]:
    fits = wanted(question)
    if fits is None:
        return None
    settled = asks_settled(question)
    found = [(i, f) for i in near for f in asked_figures(fits, answers[i].text, settled)]
    for (i, a), (j, b) in combinations(found, 2):
        if not same_unit(a.unit, b.unit) or overlap(a, b) or not _comparable(answers, (i,), (j,)):
            continue
        same = [(k, f) for k, f in found if same_unit(f.unit, a.unit) and same_unit(f.unit, b.unit)]
        side_a = tuple(sorted({k for k, f in same if overlap(f, a) and not overlap(f, b)}))
        side_b = tuple(sorted({k for k, f in same if overlap(f, b) and not overlap(f, a)}))
        if _comparable(answers, side_a, side_b) and placed(answers, side_a, side_b, period):
            return Disagreement("figures", FIGURES, (side_a, side_b))
    return None


def placed(answers: Sequence[Answer], side_a: Sequence[int], side_b: Sequence[int],
           period: Optional[tuple]) -> bool:
    """Asked about a time (``period``, qa.answer.when), can both sides' figures be of it? A
    count from an undated article is no contradiction of one from an article dated then:
    it may count another occasion's ("three more groups" against last year's "four"). A
    quote, by contrast, is one statement whenever it ran, so only figures are checked."""
    if period is None:
        return True
    dated_then = [any(in_period(c.date, period) for i in side for c in answers[i].citations)
                  for side in (side_a, side_b)]
    undated = [all(not c.date for i in side for c in answers[i].citations) for side in (side_a, side_b)]
    return not ((dated_then[0] and undated[1]) or (dated_then[1] and undated[0]))


def _comparable(answers: Sequence[Answer], side_a: Sequence[int], side_b: Sequence[int]) -> bool:
    """Sides from different articles about one occasion (see the module docstring)."""
    cites_a = [c for i in side_a for c in answers[i].citations]
    cites_b = [c for i in side_b for c in answers[i].citations]
    if not cites_a or not cites_b or {c.doc_id for c in cites_a} & {c.doc_id for c in cites_b}:
        return False
    return all(same_occasion(x.date, y.date) for x in cites_a for y in cites_b)


# ------------------------------------------------------------------ statements told differently
def _wording(answers: Sequence[Answer], near: list[int]) -> tuple[Disagreement, ...]:
    said = {i: quotes(answers[i].text) for i in near}
    return tuple(Disagreement("wording", WORDING, ((i,), (j,))) for i, j in combinations(near, 2)
                 if said[i] and said[j] and _comparable(answers, (i,), (j,))
                 and any(reworded(x, y) for x in said[i] for y in said[j]))



def _verdicts(question: str, answers: Sequence[Answer], near: list[int]) -> tuple[Disagreement, ...]:
    if not asks_view(question):
        return ()
    asked = named(question)
    who = {i: verdict_speaker(answers[i].text) & asked for i in near}
    said = {i: quotes(answers[i].text) for i in near if who[i]}
    out = []
    for i, j in combinations(sorted(said), 2):
        words_i, words_j = (content_words(" ".join(w for q in said[x] for w in q)) for x in (i, j))
        if who[i] & who[j] and said[i] and said[j] and not (words_i & words_j) \
                and _comparable(answers, (i,), (j,)):
            out.append(Disagreement("wording", WORDING, ((i,), (j,))))
    return tuple(out)



def _details(question: str, answers: Sequence[Answer], near: list[int]) -> tuple[Disagreement, ...]:
    """Details the first answer and another near answer tell differently: as for attribution,
    the label speaks of the answer the reader reads first."""
    return tuple(Disagreement("detail", DETAIL, ((0,), (j,))) for j in near
                 if j > 0 and _comparable(answers, (0,), (j,)) and extended(answers[0].text, answers[j].text, question))



def _speakers(question: str, answers: Sequence[Answer], near: list[int]) -> tuple[Disagreement, ...]:
    """Asked who said something, near answers from two outlets that quote the asked words
    but name different speakers for them (qa.answer.speakers)."""
    if not asks_speaker(question):
        return ()
    said = {i: quoted_asked(question, answers[i].text) for i in near}
    who = {i: speakers_of(answers[i].text, answers[i].context.get("before"), answers[i].context.get("after"))
           for i in near if said[i]}
    return tuple(Disagreement("attribution", ATTRIBUTION, ((i,), (j,))) for i, j in combinations(sorted(who), 2)
                 if said[i] & said[j] and other_speakers(who[i], who[j]) and _comparable(answers, (i,), (j,)))
