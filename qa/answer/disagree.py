"""When the articles disagree, say so: different figures for what the question asks, or
one statement quoted in different words by different outlets.

Only answers scoring within MARGIN of the best are compared: a figure further down the
list is usually about something else. Two sides never share an article (an article that
gives both figures holds them both true, so they count different things), and answers
from articles published more than a week apart (``dedup.same_occasion``) report different
occasions, so they are not compared.

Figures. Values are read with what they count (qa.answer.quantities: "as many as 1,000 members"
and "hundreds of supporters" are both people; "1,000" = "a thousand"). Two answers
disagree when they give values of one unit that cannot both hold. Only the unit the
question asks about counts ("how many members" wants people, "what was the vote" a
tally), else those of the answer type it wants (qa.answer.answer_type); a question that asks
no quantity never gets this note.

Wording. Quoted passages (“…”, ‘…’, "…") of two answers are aligned word by word (folded,
British and American spellings alike): a stretch of at least MIN_QUOTE_WORDS shared words
with small differences inside and a similarity of at least MIN_QUOTE_RATIO is one
statement quoted differently. A quote that only stops earlier, or leaves words out with
an ellipsis, is not.

Verdicts. Two outlets report one speaker's verdict on the same thing in the same frame,
"<speaker> said/tweeted (that) it was <quote>", with quotes that share no words: one
speaker's judgement, quoted in different words by each outlet ("X said it was 'reckless'"
against "X tweeted that it was a 'cynical' ploy"). The speaker must be one the question
names and asks what they said or thought of it ("What did X say about …?", "How did X
react?"), so a question about something else ("Who is X?") is not told of it.

Details. Two outlets tell one thing in the same words, but one stops where the other goes
on with one more word: "who remains suspended from the tennis club, said" against "who
remains suspended from the tennis club committee following": the club, or only its
committee? The shared stretch must hold at least MIN_DETAIL_WORDS words, one of them a
word of the question, end at a punctuation mark in one sentence and carry on with a content
word in the other. One of the two must be the first answer (among all near pairs, it also
flagged a question the articles do not answer, by its third and fourth answers).

Attribution. Two outlets report one claim in near-identical words (a word-for-word
similarity of at least MIN_CLAIM_RATIO after "<who> said") but name speakers with no
word in common ("Officials said ..." against "Insiders said ..."): the reader is told the
outlets attribute it differently. "A party spokeswoman said" and "The party said" share a
word and are one speaker.

Figures are also checked against the best answer of another article (same occasion) that
gives the asked quantity, however far down the ranking, for the first of the shown answers
that gives one (``asked_figures``, ``conflicting``; qa.answer.compose adds that answer): outlets that disagree
on a count often say it in sentences the question ranks far apart.

Attribution is only checked against another outlet's version of the first answer
(qa.answer.versions, which searches with ``differs``), whatever that version scored: the
label then speaks of the answer the reader reads first. Checked among all near answers, it
fired on questions about something else whenever both versions happened to rank near the
top (8 of 130 questions of seeds/questions.jsonl flagged, docs/evaluation.md).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import combinations
from typing import Callable, Optional, Sequence

from qa.answer.answer_type import question_type
from qa.answer.dedup import same_occasion
from qa.answer.quantities import asked_quantity, figures, overlap, same_unit
from qa.ingest.textnorm import Tokenizer
from qa.types import Answer

FIGURES = "The articles give different figures."
WORDING = "The outlets quote these words differently."
ATTRIBUTION = "The outlets attribute this to different sources."
NAMING = "The outlets give this different names."
DETAIL = "One outlet says more here than the other."
MESSAGES = {"figures": FIGURES, "wording": WORDING, "attribution": ATTRIBUTION, "naming": NAMING, "detail": DETAIL}
MARGIN = 0.15            # compare answers scoring within this of the best (docs/evaluation.md)
SHOWN = 3                # and the first answers, which a reader sees whatever their scores
MIN_QUOTE_WORDS = 6      # shared words before two quotes count as one statement
MIN_QUOTE_RATIO = 0.8    # difflib similarity of the aligned stretch
MAX_QUOTE_GAP = 3        # words one difference may span inside the aligned stretch
MIN_CLAIM_RATIO = 0.55   # difflib similarity of two attributed claims told as one
MIN_CLAIM_WORDS = 6      # shorter claims are too generic to call one claim
MIN_DETAIL_WORDS = 4     # shared words before one outlet's extra word counts as a detail

_SPELL = Tokenizer(stem=False, stopwords=False)   # folds spelling only: for quotes
_QUOTE = re.compile(r"“([^”]*)(?:”|$)|‘((?:[^’]|’(?=\w))*)(?:’(?!\w)|$)|\"([^\"]*)(?:\"|$)|"
                    r"(?<!\w)'((?:[^']|'(?=\w))*)'(?!\w)")
_SPEAKER = Tokenizer()                            # content words, stemmed: for who said it
# "<who> said/says/told reporters/... (that) <claim>", at the start of a sentence.
_SAID = re.compile(r"^\W*(?:(?:but|and|however|meanwhile|yet),?\s+)?(?P<who>[^,;:“”\"‘’()]{2,80}?)\s+"
                   r"(?:has\s+|have\s+|had\s+)?(?:said|says|claimed|claims|alleged|alleges|insisted|"
                   r"insists|argued|argues|suggested|suggests|stated|states|maintained|maintains|"
                   r"believed|believes|told\s+\S+(?:\s+\S+)?)(?:\s+that)?\s+(?P<what>.+)$", re.I)
_EDITORIAL = re.compile(r"\.\.\.|…|\[[^\]]*\]")   # omissions and insertions split a quote


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
    found = _figures(question, answers, near)
    told = ((found,) if found else ()) + _wording(answers, near) + _verdicts(question, answers, near) \
        + _details(question, answers, near)
    seen = {(d.kind, d.answers) for d in told}
    others: dict[tuple[int, str], list[int]] = {}     # one group per answer and kind
    for i, j, kind in versions:
        if not (kind == "figures" and found) and (kind, ((i,), (j,))) not in seen \
                and _comparable(answers, (i,), (j,)):
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


def asked_figures(fits: Optional[Callable[[str], bool]], text: str) -> list:
    """The figures of ``text`` whose unit ``fits`` (``wanted(question)``; None: none)."""
    return [f for f in figures(text) if fits(f.unit)] if fits is not None else []


def conflicting(mine: Sequence, theirs: Sequence) -> bool:
    """Do two articles' figures of one unit disagree, none of them agreeing with another?"""
    return any(same_unit(f.unit, m.unit) for f in theirs for m in mine) and \
        not any(overlap(f, m) for f in theirs for m in mine)


def _figures(question: str, answers: Sequence[Answer], near: list[int]) -> Optional[Disagreement]:
    fits = wanted(question)
    if fits is None:
        return None
    found = [(i, f) for i in near for f in asked_figures(fits, answers[i].text)]
    for (i, a), (j, b) in combinations(found, 2):
        if not same_unit(a.unit, b.unit) or overlap(a, b) or not _comparable(answers, (i,), (j,)):
            continue
        same = [(k, f) for k, f in found if same_unit(f.unit, a.unit) and same_unit(f.unit, b.unit)]
        side_a = tuple(sorted({k for k, f in same if overlap(f, a) and not overlap(f, b)}))
        side_b = tuple(sorted({k for k, f in same if overlap(f, b) and not overlap(f, a)}))
        if _comparable(answers, side_a, side_b):
            return Disagreement("figures", FIGURES, (side_a, side_b))
    return None


def _comparable(answers: Sequence[Answer], side_a: Sequence[int], side_b: Sequence[int]) -> bool:
    """Sides from different articles about one occasion (see the module docstring)."""
    cites_a = [c for i in side_a for c in answers[i].citations]
    cites_b = [c for i in side_b for c in answers[i].citations]
    if not cites_a or not cites_b or {c.doc_id for c in cites_a} & {c.doc_id for c in cites_b}:
        return False
    return all(same_occasion(x.date, y.date) for x in cites_a for y in cites_b)


# ------------------------------------------------------------------ wording
def quotes(text: str) -> list[list[str]]:
    """Folded word sequences of the quoted passages in ``text``. A passage may run to the
    end of the sentence (the quote goes on in the next one), or end at a closing mark
    with no opening one (it began in the previous sentence)."""
    passages = [next(g for g in m.groups() if g is not None) for m in _QUOTE.finditer(text)]
    head = re.match(r"([^“”\"]+)”", text)
    parts = [p for passage in passages + ([head.group(1)] if head else []) for p in _EDITORIAL.split(passage)]
    return [ws for ws in ([_SPELL.term(w) for w in _SPELL.words(p)] for p in parts) if ws]


def reworded(a: Sequence[str], b: Sequence[str]) -> bool:
    """Do word sequences ``a`` and ``b`` share a stretch that is near-identical but not equal?"""
    blocks = [m for m in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks() if m.size]
    for s in range(len(blocks)):              # every run of matching blocks with small gaps
        shared = blocks[s].size
        for e in range(s + 1, len(blocks)):
            prev, cur = blocks[e - 1], blocks[e]
            if max(cur.a - prev.a - prev.size, cur.b - prev.b - prev.size) > MAX_QUOTE_GAP:
                break
            shared += cur.size
            span = (cur.a + cur.size - blocks[s].a) + (cur.b + cur.size - blocks[s].b)
            if shared >= MIN_QUOTE_WORDS and 2 * shared / span >= MIN_QUOTE_RATIO:
                return True
    return False


def _wording(answers: Sequence[Answer], near: list[int]) -> tuple[Disagreement, ...]:
    said = {i: quotes(answers[i].text) for i in near}
    return tuple(Disagreement("wording", WORDING, ((i,), (j,))) for i, j in combinations(near, 2)
                 if said[i] and said[j] and _comparable(answers, (i,), (j,))
                 and any(reworded(x, y) for x in said[i] for y in said[j]))


# ------------------------------------------------------------------ verdicts
_VERB = r"(?:said|says|tweeted|tweets|wrote|writes|warned|warns|claimed|claims|argued|argues|insisted|insists)"
# "<speaker> said (that) it was <quote>": the speaker, then what the verdict is about.
_VERDICT = re.compile(rf"(?P<who>[^.;:“”\"]{{0,80}}?)\b(?:has\s+|had\s+)?{_VERB}\s+(?:that\s+)?"
                      r"(?:it|this|that|the\s+\w+(?:\s+\w+)?)\s+(?:was|is|were|are|had\s+been|would\s+be)\s+"
                      r"(?:(?:a|an|the|both|simply|just|merely|nothing\s+but)\s+)?[“‘\"']")
_CAPITAL = re.compile(r"(?<!^)\b[A-Z][\w’'-]+")
_ASKS_VIEW = re.compile(r"\b(say|said|says|tweet\w*|write|wrote|think|thought|view\w*|react\w*|respon\w*|"
                        r"comment\w*|describe\w*|call|called|criticis\w*|criticiz\w*|make\s+of|opinion)\b", re.I)


def verdict_speaker(text: str) -> frozenset[str]:
    """The capitalised words naming who gave a verdict in ``text`` ("<who> said it was
    '…'"); empty when the sentence gives none in that frame."""
    m = _VERDICT.search(text)
    return frozenset(w.casefold() for w in _CAPITAL.findall(m.group("who"))) if m else frozenset()


def _verdicts(question: str, answers: Sequence[Answer], near: list[int]) -> tuple[Disagreement, ...]:
    if not _ASKS_VIEW.search(question):
        return ()
    asked = {re.sub(r"[’']s$", "", w).casefold() for w in _CAPITAL.findall(question.strip())}   # "X's reaction"
    who = {i: verdict_speaker(answers[i].text) & asked for i in near}
    said = {i: quotes(answers[i].text) for i in near if who[i]}
    out = []
    for i, j in combinations(sorted(said), 2):
        words_i, words_j = (set(_SPEAKER(" ".join(w for q in said[x] for w in q))) for x in (i, j))
        if who[i] & who[j] and said[i] and said[j] and not (words_i & words_j) \
                and _comparable(answers, (i,), (j,)):
            out.append(Disagreement("wording", WORDING, ((i,), (j,))))
    return tuple(out)


# ------------------------------------------------------------------ details
_PIECE = re.compile(r"[\w’'-]+|[,.;:!?–—()“”‘’\"]")


def extended(a: str, b: str, question: str) -> bool:
    """Do ``a`` and ``b`` tell one thing in the same words, one stopping at a punctuation
    mark where the other carries on with a content word (module docstring)?"""
    asked = set(_SPEAKER(question))
    x, y = ([p.group().casefold() for p in _PIECE.finditer(t)] for t in (a, b))
    for m in SequenceMatcher(None, x, y, autojunk=False).get_matching_blocks():
        words = [w for w in x[m.a:m.a + m.size] if w[0].isalnum()]
        if len(words) < MIN_DETAIL_WORDS or not asked & set(_SPEAKER(" ".join(words))):
            continue
        after_x = x[m.a + m.size] if m.a + m.size < len(x) else "."
        after_y = y[m.b + m.size] if m.b + m.size < len(y) else "."
        for stop, more in ((after_x, after_y), (after_y, after_x)):
            if not stop[0].isalnum() and more[0].isalnum() and _SPEAKER(more):
                return True
    return False


def _details(question: str, answers: Sequence[Answer], near: list[int]) -> tuple[Disagreement, ...]:
    """Details the first answer and another near answer tell differently: as for attribution,
    the label speaks of the answer the reader reads first."""
    return tuple(Disagreement("detail", DETAIL, ((0,), (j,))) for j in near
                 if j > 0 and _comparable(answers, (0,), (j,)) and extended(answers[0].text, answers[j].text, question))


# ------------------------------------------------------------------ attribution
def attributed(text: str) -> Optional[tuple[frozenset[str], list[str]]]:
    """(speaker's content words, the claim's folded words) of "<who> said <claim>"; None
    when the sentence does not open that way."""
    m = _SAID.match(text)
    if not m:
        return None
    who = frozenset(_SPEAKER(m.group("who")))
    what = [_SPELL.term(w) for w in _SPELL.words(m.group("what"))]
    return (who, what) if who and len(what) >= MIN_CLAIM_WORDS else None


def reattributed(a: str, b: str) -> bool:
    """Do sentences ``a`` and ``b`` give one claim to speakers with no word in common?"""
    x, y = attributed(a), attributed(b)
    if x is None or y is None or x[0] & y[0]:
        return False
    return SequenceMatcher(None, x[1], y[1], autojunk=False).ratio() >= MIN_CLAIM_RATIO


def differs(a: str, b: str) -> Optional[str]:
    """How two outlets' sentences tell one statement differently: "attribution" (a claim
    given to another speaker), "wording" (a quote worded otherwise), or None."""
    if reattributed(a, b):
        return "attribution"
    qa_, qb = quotes(a), quotes(b)
    return "wording" if any(reworded(x, y) for x in qa_ for y in qb) else None


# ------------------------------------------------------------------ naming
_NAME = re.compile(r"[A-Z][\w’'-]*(?:\s+(?:(?:of|in|for|the|and|against|on|to)\s+)*[A-Z][\w’'-]*)+")
_ASKS_NAME = re.compile(r"\b(called|named|name\s+of|the\s+name)\b|^\W*name\b|^\W*(?:(?:and|so|then)\s+)?which\s+(?:[\w-]+\s+){0,2}?"
                        r"(group|organi[sz]ation|faction|movement|campaign|union|body|party|network|outfit)s?\b", re.I)
MIN_NAME_WORDS = 2       # a one-word short form ("Acme" for "Acme Holdings") is ordinary


def asks_name(question: str) -> bool:
    """Does the question ask what something is called ("What is X called?", "Which (banned)
    group …?": a which-question about an organisation wants its name)?"""
    return bool(_ASKS_NAME.search(question))


def _names(text: str) -> list[list[str]]:
    out = []
    for m in _NAME.finditer(text):
        words = m.group().split()
        if words[0] == "The":
            words = words[1:]
        if len(words) >= MIN_NAME_WORDS:
            out.append([w.strip("’'").casefold() for w in words])
    return out


def _uses(article: str, words: Sequence[str]) -> bool:
    return re.search(r"\b" + r"\s+".join(map(re.escape, words)) + r"\b", article, re.I) is not None


def renamed(a: str, b: str, article_a: str, article_b: str) -> bool:
    """Do sentences ``a`` and ``b`` give one thing names of which one is the other cut short
    ("Harbour Arts" / "Harbour Arts Trust"), each article using only its own form? An article
    that uses both forms holds them for one name, so that is no disagreement."""
    for x in _names(a):
        for y in _names(b):
            short, long_ = sorted((x, y), key=len)
            if len(short) == len(long_) or long_[:len(short)] != short:
                continue
            if not _uses(article_a if short is x else article_b, long_):
                return True
    return False
