"""Quantities in news sentences, read with what they count: "as many as 2,000 workers",
"hundreds of residents", "a six-hour hearing", "15 votes to 9", "£1.5bn", "40%".

Each value becomes a ``Figure``: a unit and an interval, so that a value in other words
is equal ("2,000" = "two thousand"; "about 2,000" holds 1,920, within
APPROX) and a vague one covers a range ("hundreds": 200 to 900, "tens of thousands":
20,000 to 90,000; "more than N" is N and up). What a value counts is the first plural
noun after it (after an optional "of the"), with general rules for news:
- people are one unit whatever an outlet calls them (members, supporters, activists…),
  since outlets count the same people under different names;
- durations are in minutes, and the length of a named thing is marked with it
  ("a six-hour hearing": duration:hear), so it is not taken for the length of another
  ("one week's wages"); "three days after" is a point in time and is not read;
- a vote "15 votes to 9" / "by 15-9" / "voted 15 to 9" is one tally; a year and a day of a
  month are dates;
- a count of another set ("four more schools", "the other two schools") and values that
  count nothing said ("9 voted against", "three-to-one") are not read; nor are ages,
  clock times, dated slashes or names ("Covid-19", "Formula One").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from qa.answer.answer_type import question_type
from qa.answer.numbers import ANY_NUMBER, WORD_VALUES, Tokens, int_value, number, touching
from qa.answer.speech import NAME_OF_WORDS
from qa.ingest.textnorm import STOPWORDS, Tokenizer, unpossessed
from qa.answer.when import MONTHS

APPROX = 0.05            # "about N" holds N ± 5%

_STEM = Tokenizer()
_MINUTES = {"minute": 1, "hour": 60, "day": 1440, "week": 10080, "month": 43800, "year": 525600}
_PEOPLE = {_STEM.term(w) for w in (    # outlets count the same people under different names
    "people persons members supporters activists protesters protestors demonstrators campaigners voters "
    "workers staff employees residents citizens students councillors delegates officials candidates "
    "fans followers volunteers troops soldiers officers patients victims children adults men women "
    "refugees migrants passengers mps civilians casualties prisoners detainees inmates pupils teachers "
    "nurses doctors journalists users customers tenants inhabitants settlers colonists descendants "
    "individuals players athletes astronauts crew "
    "man woman person").split()}   # singular: "a two-man crew"
# Outlets count the same organisations under different names too ("three groups", "three
# organisations", "three factions").
_BODIES = {_STEM.term(w) for w in "groups organisations organizations factions bodies outfits movements".split()}
VOTE = _STEM.term("votes")   # the unit of "how many votes"
_MORE = {"more", "further", "additional", "new"}
# Words ending in "s" that are not plurals: "class", "previous", "status", "crisis".
_NOT_PLURAL = ("ss", "us", "is")
_OTHER_SET = {"more", "other", "further", "another", "additional", "extra", "remaining", "new"}
# After a unit of time, these make a point in time ("three days after"), not a length.
_OFFSET = {"ago", "later", "earlier", "after", "before", "since", "into", "until"}
_HEDGES = [(re.compile(r"(?:about|around|roughly|approximately|some|nearly|almost|close to|estimated|"
                       r"as many as|as much as|as few as|up to)$"), "approx"),
           (re.compile(r"(?:more than|over|at least|above|upwards of)$"), "lower"),
           (re.compile(r"(?:fewer than|less than|under|at most|no more than|below)$"), "upper")]
_OR_BOUND = {"or more": "lower", "or over": "lower", "or fewer": "upper", "or less": "upper", "or so": "approx"}
_QUOTE_MARKS = set("“”‘’\"'")
_TALLY = re.compile(r"\b(\d+|[a-z]+)\s+votes?\s+to\s+(\d+|[a-z]+)\b|\b(?:by|voted)\s+(\d+)\s*(?:-|–|to)\s*(\d+)\b", re.I)
# "15 members voted in favour of X and 9 voted against", "14 voted to close X and 9 against": a
# tally too, whose "20 members" still counts people (how many voted for it).
_COUNT = r"(\d+|" + "|".join(sorted(WORD_VALUES, key=len, reverse=True)) + r")"
_FOR_AGAINST = re.compile(rf"\b{_COUNT}\s+(?:[\w-]+\s+){{0,2}}?voted\s+(?:in\s+favou?r|for|to)\b[^.;]{{0,80}}?"
                          rf"\b(?:and|while|with)\s+{_COUNT}\s+(?:[\w-]+\s+){{0,2}}?(?:voted\s+)?against\b", re.I)


@dataclass(frozen=True)
class Figure:
    unit: str      # "people", "duration[:thing]" (minutes), "tally", "percent", "money:£", "year", "date", a noun stem
    lo: float
    hi: float


def figures(text: str, more: bool = False) -> list[Figure]:
    """Every value in ``text`` with the unit it counts (values without one are left out).
    ``more``: read "four more schools" as four schools too. It answers "how many schools
    were closed this time?", but is not the count of one set that another outlet's "five
    schools" could contradict, so disagreements leave it out."""
    if not ANY_NUMBER.search(text):
        return []                             # most sentences: skip the tokenizer
    return list(_figures(text, more))


@lru_cache(maxsize=16384)                     # ranking reads the same sentences question after question
def _figures(text: str, more: bool) -> tuple[Figure, ...]:
    out, tallies = [], [m.span() for m in _TALLY.finditer(text)]
    for m in _TALLY.finditer(text):           # "15 votes to 9", "by 15-9", "voted 15 to 9": for * 1e6 + against
        a, b = (int_value(g) for g in (m.group(1) or m.group(3), m.group(2) or m.group(4)))
        if a is not None and b is not None:
            out.append(Figure("tally", a * 1e6 + b, a * 1e6 + b))
    for m in _FOR_AGAINST.finditer(text):
        a, b = int_value(m.group(1)), int_value(m.group(2))
        if a is not None and b is not None:
            out.append(Figure("tally", a * 1e6 + b, a * 1e6 + b))
    t, i = Tokens(text), 0
    while i < len(t.low):
        read = None if any(s <= t.m[i].start() < e for s, e in tallies) else _read(t, i, more)
        if read and read[3]:
            out.append(Figure(read[3], read[0], read[1]))
        i = max(read[2], i + 1) if read else i + 1
    return tuple(out)


def _read(t: Tokens, i: int, more: bool = False) -> Optional[tuple[float, float, int, Optional[str]]]:
    """(lo, hi, next token, unit or None) of a value starting at token i, else None."""
    if i and t.low[i - 1] in _OTHER_SET:
        return None                           # "the other two schools"
    got = number(t, i)
    if got is None:
        return None
    return _range(t, i, got[0], got[1], more) or _value(t, i, *got, more)


def _range(t: Tokens, i: int, value: float, j: int, more: bool):
    """A range of one unit, as ``_read`` gives a value: "ten to fifteen authors", "between 500
    and 1,000 members", "200-300 people", "two or three days". Not "from 20 to 30" (a change,
    read as its end), "2 to 1" (a ratio) nor a range of years."""
    joiner = t.low[j] if j < len(t.low) - 1 else ""
    before = t.low[i - 1] if i else ""
    if not ((joiner == "to" and before != "from") or (joiner == "and" and before == "between")
            or joiner == "or" or (joiner in ("-", "–") and touching(t, j))) or t.kind[j + 1] != t.kind[i]:
        return None
    second = number(t, j + 1)
    if second is None or second[2] or second[0] <= value:
        return None
    read = _value(t, j + 1, *second, more)
    if read is None or read[3] in (None, "year", "date") or not read[1]:
        return None
    # the first value in the second's measure (a unit of time in minutes: "two to three hours")
    factor = (read[1] if read[1] != float("inf") else read[0]) / second[0]
    return _bounds(t, i, value)[0] * factor, read[1], read[2], read[3]


def _value(t: Tokens, i: int, value: float, j: int, vague: bool, more: bool):
    """``_read`` of the number at token i, read as ``value`` up to token j: its unit and bounds."""
    m = t.m[i]
    # "five or more seats", "100 or so people": the bound is read, then the unit after it
    tail = _OR_BOUND.get(" ".join(t.words(j, 2)))
    j += 2 if tail else 0
    if m.group("cur"):
        unit, factor = "money:" + m.group("cur"), 1.0
    elif m.group("pct") or t.words(j, 2) == ["per", "cent"] or t.words(j) == ["percent"]:
        unit, factor = "percent", 1.0
    else:
        unit, factor = _unit(t, j, more)
        if unit is not None and t.kind[i] == "num" and _year_before_noun(t, i):
            unit = None                       # "the 2019 closures": a year, read below
    date = _date(t, i, j, value) if t.kind[i] == "num" and unit is None else None
    if date:
        return date
    if t.kind[i] != "num" and value == 1 and not (unit or "").startswith("duration"):
        return None                           # "one of them", "no one": rarely the count asked for
    lo, hi = (2 * value, 9 * value) if vague else _bounds(t, i, value, tail)
    return lo * factor, hi * factor, j, unit


def _date(t: Tokens, i: int, j: int, value: float):
    """A year ("in 1990") or a day of a month ("20 July", "July 20") as (lo, hi, next, unit)."""
    if value.is_integer() and 1800 <= value <= 2099 and "," not in t.m[i].group("n"):   # "2,000" counts
        return value, value, j, "year"
    month = t.low[j] if t.words(j) and t.low[j] in MONTHS else (t.low[i - 1] if i and t.low[i - 1] in MONTHS else None)
    if month and value.is_integer() and 1 <= value <= 31:
        day = MONTHS.index(month) * 32 + value
        return day, day, j + (t.words(j) == [month]), "date"
    return None


# Before a year that modifies a noun ("the 2019 closures", "its 1990 report", "the three 2019
# closures"); a count after these is written with a thousands comma ("the 2,000 workers").
_DETERMINERS = {"the", "its", "their", "his", "her", "our", "this", "that", "these", "those"}


def _year_before_noun(t: Tokens, i: int) -> bool:
    """Is the number at token i a year modifying the noun after it ("the 2019 closures")?"""
    n = t.m[i].group("n")
    return (len(n) == 4 and n.isdigit() and 1800 <= int(n) <= 2099 and not t.m[i].group("mult")
            and i > 0 and (t.low[i - 1] in _DETERMINERS or t.low[i - 1] in WORD_VALUES
                           or t.low[i - 1].endswith(("’s", "'s"))))


def _bounds(t: Tokens, i: int, value: float, tail: Optional[str] = None) -> tuple[float, float]:
    """The interval a hedge before token i ("about", "more than", "up to"), or ``tail`` after
    it ("or more"), makes of ``value``."""
    before = " ".join(t.low[max(0, i - 3):i])
    kind = next((kind for pattern, kind in _HEDGES if pattern.search(before)), tail)
    if kind is None:
        return value, value
    return {"approx": (value * (1 - APPROX), value * (1 + APPROX)),
            "lower": (value, float("inf")), "upper": (0.0, value)}[kind]


def _unit(t: Tokens, j: int, more: bool = False) -> tuple[Optional[str], float]:
    """What the value before token j counts, with its factor to minutes for time: the first
    plural noun or unit of time in the next few words, after an optional "of (the)".
    (None, 1) when there is none or the count is of another set ("four more schools")."""
    if t.words(j) == ["of"]:
        j += 2 if t.words(j + 1) in (["the"], ["these"], ["those"], ["their"], ["its"]) else 1
        if j < len(t.kind) and t.kind[j] == "num":
            j += 1                            # "39 of the 43 players": both count players
    # the next five tokens, quote marks aside: ten “lead authors”, 2,000 ‘furloughed’ workers
    for k in [k for k in range(j, len(t.low)) if t.low[k] not in _QUOTE_MARKS][:5]:
        w = unpossessed(t.low[k])
        if w == "-" and touching(t, k):
            continue                          # "six-hour", "well-known"
        if more and w in _MORE:
            continue                          # "four more schools" (``figures``' ``more``)
        if t.kind[k] != "word" or w in _OTHER_SET:
            return None, 1
        single = w[:-1] if w.endswith("s") else w
        if single in _MINUTES:                # "a 20-year-old" is an age; "a six-hour hearing" a thing's length
            after = t.words(k + 1)
            if t.words(k + 1, 2) == ["-", "old"] or (after and after[0] in _OFFSET):
                return None, 1
            thing = after[0] if w == single and after and t.kind[k + 1] == "word" else "the"
            named = "" if thing in STOPWORDS or thing == "long" else ":" + _STEM.term(thing)
            return "duration" + named, _MINUTES[single]
        stem = _STEM.term(w)
        if stem in _PEOPLE:
            return "people", 1
        if stem in _BODIES:
            return "groups", 1
        if w in STOPWORDS:
            return None, 1
        if len(w) > 3 and w.endswith("s") and not w.endswith(_NOT_PLURAL):
            return stem, 1
        if k == j + 1 and t.low[j] == "-" and touching(t, j):
            return stem, 1                    # a compound counts its noun: "a 33-yard kick" (yards)
    return None, 1


def asked_unit(question_tail: str) -> Optional[str]:
    """The unit of the noun a question counts, read from the words after "how many", or
    after a name of several words there ("how many Friends of the Earth members": people;
    "how many Scottish MPs": MPs, no noun following)."""
    m = _LEADING_NAME.match(question_tail)
    after = _unit(Tokens(question_tail[m.end():]), 0)[0] if m else None
    return after if after is not None else _unit(Tokens(question_tail), 0)[0]


# A name of two or more capitalised words, then a lower-case word.
_LEADING_NAME = re.compile(r"\s*" + NAME_OF_WORDS + r"\s+(?=[a-z])")


# Asked a percentage, a figure in per cent answers; "what proportion" or "what share" may be
# answered in words ("two-thirds of members"), which are not read as per cent.
_SHARE = re.compile(r"\bwhat\s+(?:percentage|per\s*cent)\b|\bhow\s+many\s+per\s*cent\b", re.I)


def asked_quantity(question: str):
    """Which units answer a question that names what it counts: its own noun after "how
    many" ("how many members": people), or a tally when it asks about a vote; None when it
    names none. A function of the unit, true for those that answer."""
    kind = question_type(question)
    if kind not in ("number", None):
        return None          # "Where did they send a large number of settlers?" asks a place
    m = re.search(r"\b(?:how\s+many|how\s+much|number\s+of)\b", question, re.I)
    unit = asked_unit(question[m.end():]) if m else None
    if unit is not None:
        return lambda u: same_unit(u, unit) or (u == "tally" and unit == VOTE)
    vote = kind == "number" and re.search(r"\b(votes?|voted|margin|tally)\b", question, re.I)
    if _SHARE.search(question):      # "What percentage of the vote …?": "51.6%" (or the tally)
        return lambda u: u == "percent" or bool(vote and u in ("tally", VOTE))
    if vote:
        return lambda u: u in ("tally", VOTE)
    return None


def same_unit(a: str, b: str) -> bool:
    """Durations of a named thing compare with those of the same thing or of none."""
    if a.startswith("duration") and b.startswith("duration"):
        return a == b or "duration" in (a, b)
    return a == b


def overlap(a: Figure, b: Figure) -> bool:
    return a.lo <= b.hi and b.lo <= a.hi
