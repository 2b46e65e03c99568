"""When the articles disagree, say so: different figures for what the question asks, or
one statement quoted in different words by different outlets.

Only answers scoring close to the best (within MARGIN of it) are compared: a figure ten
answers down is usually about something else. Sides never share an article, since an
article that gives both figures (or both wordings) means they are about different
things, and answers from articles published more than a week apart
(``dedup.same_occasion``) report different occasions, so they are never compared.

Figures. A value is read with the noun it counts ("1,000 members", "hundreds of
supporters", "a nine-hour meeting", "20 votes to 12") and kept as an interval, so values
that agree in other words are equal ("1,000" = "a thousand"; "about 1,000" holds 960) and
vague ones cover a range ("hundreds": 200 to 900). Values are compared only within one
unit (people are one unit whatever an outlet calls them: members, supporters, activists;
durations are converted to minutes) and only for the unit the question asks about ("how
many members" → people) or, without one, the kind of answer it wants (qa.answer_type).
"Three more groups" or "four other groups" count a different set and are not read.
A question that asks no quantity never gets this note.

Wording. Quoted passages (“…”, ‘…’, "…") of two answers are aligned word by word (folded,
British/American spellings alike): a stretch of at least MIN_QUOTE_WORDS shared words,
interrupted by small differences, with a similarity of at least MIN_QUOTE_RATIO, is the
same statement quoted differently. A quote that merely stops earlier is not.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import combinations
from typing import Callable, Optional, Sequence

from .answer_type import question_type
from .dedup import same_occasion
from .textnorm import STOPWORDS, Tokenizer
from .types import Answer
from .when import MONTHS

FIGURES = "The articles give different figures."
WORDING = "The outlets quote these words differently."
MARGIN = 0.15            # compare answers scoring within this of the best
MIN_QUOTE_WORDS = 6      # shared words before two quotes count as one statement
MIN_QUOTE_RATIO = 0.8    # difflib similarity of the aligned stretch
MAX_QUOTE_GAP = 3        # words a difference may span inside the aligned stretch
APPROX = 0.05            # "about N" holds N ± 5%

_TOK = Tokenizer(stem=False, stopwords=False)   # spelling fold only, for quotes
_STEM = Tokenizer()
_WORD_VALUES = {w: n for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
_WORD_VALUES.update({w: 10 * n for n, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)})
_SCALES = {"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9, "dozen": 12}
_VAGUE = {"tens": 10, "dozens": 12, "scores": 20, "hundreds": 100, "thousands": 1e3, "millions": 1e6, "billions": 1e9}
_MINUTES = {"minute": 1, "hour": 60, "day": 1440, "week": 10080, "month": 43800, "year": 525600}
_MULT = {"k": 1e3, "m": 1e6, "bn": 1e9}
# Nouns for people: outlets count the same people under different names.
_PEOPLE = {_STEM.term(w) for w in (
    "people persons members supporters activists protesters protestors demonstrators campaigners voters "
    "workers staff employees residents citizens students councillors delegates officials candidates "
    "fans followers volunteers troops soldiers officers patients victims children adults men women "
    "refugees migrants passengers mps").split()}
# Words that make a count relative to another set ("three more groups").
_OTHER_SET = {"more", "other", "further", "another", "additional", "extra", "remaining", "new"}
_HEDGES = [(re.compile(r"(?:about|around|roughly|approximately|some|nearly|almost|close to|estimated|"
                       r"as many as|as much as|as few as|up to)$"), "approx"),
           (re.compile(r"(?:more than|over|at least|above|upwards of)$"), "lower"),
           (re.compile(r"(?:fewer than|less than|under|at most|no more than|below)$"), "upper")]
_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_TOKEN = re.compile(rf"(?P<num>(?<![\w:/.,£$€])(?P<cur>[£$€])?(?P<n>{_NUM})(?P<mult>bn|m|k)?(?P<pct>%)?"
                    rf"(?![\w:/]|[.,]\d))|(?P<word>[^\W\d_]+(?:[’'][^\W\d_]+)?)|(?P<junk>\w+)|(?P<p>\S)")
_TALLY = re.compile(r"\b(\d+|[a-z]+)\s+votes?\s+to\s+(\d+|[a-z]+)\b|\bby\s+(\d+)\s*(?:-|–|to)\s*(\d+)\b", re.I)
_QUOTE = re.compile(r"“([^”]*)(?:”|$)|‘((?:[^’]|’(?=\w))*)(?:’(?!\w)|$)|\"([^\"]*)(?:\"|$)|"
                    r"(?<!\w)'((?:[^']|'(?=\w))*)'(?!\w)")
_EDITORIAL = re.compile(r"\.\.\.|…|\[[^\]]*\]")   # omissions and insertions split a quote


@dataclass(frozen=True)
class Disagreement:
    kind: str                                 # "figures" or "wording"
    message: str
    answers: tuple[tuple[int, ...], ...]      # one tuple of answer indices per side


@dataclass(frozen=True)
class Figure:
    unit: str      # "people", "duration" (minutes), "tally", "percent", "money:£", "year", "date" or a noun stem
    lo: float
    hi: float


def disagreements(question: str, answers: Sequence[Answer], margin: float = MARGIN,
                  floor: float = 0.0) -> tuple[Disagreement, ...]:
    """The disagreements among ``answers`` (best first) that concern ``question``. Only
    answers scoring at least ``floor`` and within ``margin`` of the best are compared."""
    if not answers:
        return ()
    best = max(a.score for a in answers)
    near = [i for i, a in enumerate(answers) if a.score >= max(floor, best - margin)]
    found = _figures(question, answers, near)
    return ((found,) if found else ()) + _wording(answers, near)


# ------------------------------------------------------------------ figures
def figures(text: str) -> list[Figure]:
    """Every value in ``text`` with the unit it counts (values without one are left out)."""
    out = [Figure("tally", v, v) for v in _tallies(text)]
    spans = [m.span() for m in _TALLY.finditer(text)]
    toks = _tokens(text)
    i = 0
    while i < len(toks):
        kind, m = toks[i]
        read = None if any(s <= m.start() < e for s, e in spans) else _value(toks, i)
        if read is None:
            i += 1
            continue
        (lo, hi), j, unit = read
        if unit is not None:
            out.append(Figure(unit, lo, hi))
        i = max(j, i + 1)
    return out


def _tallies(text: str) -> list[float]:
    """"20 votes to 12" and "by 20-12" as one number (for * 1e6 + against)."""
    out = []
    for m in _TALLY.finditer(text):
        a, b = (_int(g) for g in (m.group(1) or m.group(3), m.group(2) or m.group(4)))
        if a is not None and b is not None:
            out.append(a * 1e6 + b)
    return out


def _int(word: str) -> Optional[int]:
    return int(word) if word.isdigit() else _WORD_VALUES.get(word.lower())


def _value(toks: list, i: int):
    """((lo, hi), next token, unit or None) for a value starting at token i, else None."""
    kind, m = toks[i]
    low = m.group().lower()
    if kind == "num":
        if m.group("mult") and not m.group("cur"):
            return None                       # "9m": metres or millions, unknowable
        value, j = float(m.group("n").replace(",", "")), i + 1
        if j < len(toks) and toks[j][1].group().lower() in _SCALES:
            value, j = value * _SCALES[toks[j][1].group().lower()], j + 1
        value *= _MULT.get(m.group("mult") or "", 1)
        if m.group("cur"):
            return _bounds(toks, i, value), j, "money:" + m.group("cur")
        if m.group("pct") or _words(toks, j, 2) == ["per", "cent"] or _words(toks, j, 1) == ["percent"]:
            return _bounds(toks, i, value), j, "percent"
        unit, factor = _unit(toks, j)
        if unit is None and value.is_integer() and 1800 <= value <= 2099:
            return (value, value), j, "year"
        return _date_or(toks, i, j, value, unit, factor)
    if kind != "word" or (m.group()[0].isupper() and m.start() > 0 and low not in _VAGUE):
        return None                           # "Formula One", "the Seven": names, not counts
    if low in _VAGUE:
        j, base = i + 1, _VAGUE[low]
        if _words(toks, j, 1) == ["of"] and _words(toks, j + 1, 1)[0:1] and _words(toks, j + 1, 1)[0] in _VAGUE:
            base, j = base * _VAGUE[_words(toks, j + 1, 1)[0]], j + 2     # "tens of thousands"
        unit, factor = _unit(toks, j)
        return (2 * base * factor, 9 * base * factor), j, unit
    value, j = _word_number(toks, i)
    if j == i or (value == 1 and _unit(toks, j)[0] != "duration"):
        return None                           # "one of them", "no one": rarely a count asked for
    vague = i > 0 and toks[i - 1][1].group().lower() in ("several", "few") and j == i + 1
    unit, factor = _unit(toks, j)
    if vague:
        return (2 * value * factor, 9 * value * factor), j, unit
    lo, hi = _bounds(toks, i, value)
    return (lo * factor, hi * factor), j, unit


def _date_or(toks, i, j, value, unit, factor):
    """"20 July" / "July 20" is a date, else the counted value."""
    after = _words(toks, j, 1)
    before = toks[i - 1][1].group().lower() if i else ""
    month = after[0] if after and after[0] in MONTHS else (before if before in MONTHS else None)
    if month and value.is_integer() and 1 <= value <= 31:
        day = MONTHS.index(month) * 32 + value
        return (day, day), j + (after == [month]), "date"
    lo, hi = _bounds(toks, i, value)
    return (lo * factor, hi * factor), j, unit


def _word_number(toks: list, i: int) -> tuple[float, int]:
    """A run of number words ("two hundred and fifty", "twenty-five", "a thousand")."""
    total = current = 0.0
    j = i
    while j < len(toks):
        w = toks[j][1].group().lower()
        nxt = toks[j + 1][1].group().lower() if j + 1 < len(toks) else ""
        if w in _WORD_VALUES:
            current += _WORD_VALUES[w]
        elif w in ("a", "an") and j == i and nxt in _SCALES:
            current = 1
        elif w in _SCALES and (j > i or w != "dozen"):
            scale = _SCALES[w]
            total, current = (total, max(current, 1) * scale) if scale < 1e3 else (total + max(current, 1) * scale, 0)
        elif j > i and w in ("-", "and") and nxt in _WORD_VALUES and _adjacent(toks, j, w):
            pass
        else:
            break
        j += 1
    return total + current, j


def _adjacent(toks: list, j: int, w: str) -> bool:
    """A hyphen joins only touching words ("twenty-five"); a spaced dash separates."""
    return w != "-" or toks[j - 1][1].end() == toks[j][1].start() == toks[j + 1][1].start() - 1


def _bounds(toks: list, i: int, value: float) -> tuple[float, float]:
    """The interval a hedge before token i makes of ``value``."""
    before = " ".join(t[1].group().lower() for t in toks[max(0, i - 3):i])
    for pattern, kind in _HEDGES:
        if pattern.search(before):
            return {"approx": (value * (1 - APPROX), value * (1 + APPROX)),
                    "lower": (value, float("inf")), "upper": (0.0, value)}[kind]
    return value, value


def _words(toks: list, j: int, n: int) -> list[str]:
    return [t[1].group().lower() for t in toks[j:j + n]]


def _unit(toks: list, j: int) -> tuple[Optional[str], float]:
    """What the value before token j counts, and its factor to minutes for time: the
    first plural noun or unit of time in the next few words, after an optional "of (the)".
    (None, 1) when there is none or the count is of another set ("three more groups")."""
    if _words(toks, j, 1) == ["of"]:
        j += 2 if _words(toks, j + 1, 1) in (["the"], ["these"], ["those"], ["their"], ["its"]) else 1
    for k in range(j, min(j + 5, len(toks))):
        kind, m = toks[k]
        w = re.sub(r"[’']s$", "", m.group().lower())
        if w == "-" and k > 0 and m.start() == toks[k - 1][1].end():
            continue                          # "nine-hour", "far-left"
        if kind != "word" or w in _OTHER_SET:
            return None, 1
        single = w[:-1] if w.endswith("s") else w
        if single in _MINUTES:                # "a 20-year-old" is an age, not a duration
            return (None, 1) if _words(toks, k + 1, 2) == ["-", "old"] else ("duration", _MINUTES[single])
        stem = _STEM.term(w)
        if stem in _PEOPLE:
            return "people", 1
        if w in STOPWORDS:
            return None, 1
        if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
            return stem, 1
    return None, 1


def _tokens(text: str) -> list:
    return [("num" if m.group("num") else m.lastgroup, m) for m in _TOKEN.finditer(text)]


def _wanted(question: str) -> Optional[Callable[[str], bool]]:
    """Which units answer the question: its own noun after "how many", else those of the
    answer type it wants; None when it asks no quantity."""
    m = re.search(r"\b(?:how\s+many|how\s+much|number\s+of)\b", question, re.I)
    unit = _unit(_tokens(question[m.end():]), 0)[0] if m else None
    if unit is not None:
        return lambda u: u == unit or (u == "tally" and unit == _STEM.term("votes"))
    kind = question_type(question)
    if kind == "duration":
        return lambda u: u == "duration"
    if kind == "date":
        return lambda u: u in ("year", "date")
    if kind == "money":
        return lambda u: u.startswith("money:")
    if kind == "number":
        return lambda u: u not in ("duration", "year", "date") and not u.startswith("money:")
    return None


def _figures(question: str, answers: Sequence[Answer], near: list[int]) -> Optional[Disagreement]:
    fits = _wanted(question)
    if fits is None:
        return None
    found = [(i, f) for i in near for f in figures(answers[i].text) if fits(f.unit)]
    for (i, a), (j, b) in combinations(found, 2):
        if a.unit != b.unit or _overlap(a, b) or not _comparable(answers, (i,), (j,)):
            continue
        same = [(k, f) for k, f in found if f.unit == a.unit]
        side_a = tuple(sorted({k for k, f in same if _overlap(f, a) and not _overlap(f, b)}))
        side_b = tuple(sorted({k for k, f in same if _overlap(f, b) and not _overlap(f, a)}))
        if _comparable(answers, side_a, side_b):
            return Disagreement("figures", FIGURES, (side_a, side_b))
    return None


def _overlap(a: Figure, b: Figure) -> bool:
    return a.lo <= b.hi and b.lo <= a.hi


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
    end of the sentence (the quote goes on in the next one), or start before a closing
    mark that has no opening one (it began in the previous sentence)."""
    passages = [next(g for g in m.groups() if g is not None) for m in _QUOTE.finditer(text)]
    head = re.match(r"([^“”\"]+)”", text)
    if head:
        passages.append(head.group(1))
    parts = [p for passage in passages for p in _EDITORIAL.split(passage)]
    return [ws for ws in ([_TOK.term(w) for w in _TOK.words(p)] for p in parts) if ws]


def reworded(a: Sequence[str], b: Sequence[str]) -> bool:
    """Do word sequences ``a`` and ``b`` share a stretch that is near-identical but not equal?"""
    blocks = [m for m in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks() if m.size]
    for s in range(len(blocks)):
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
    return tuple(Disagreement("wording", WORDING, ((i, ), (j, ))) for i, j in combinations(near, 2)
                 if said[i] and said[j] and _comparable(answers, (i,), (j,))
                 and any(reworded(x, y) for x in said[i] for y in said[j]))
