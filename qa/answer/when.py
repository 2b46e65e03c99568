"""The time a question names ("in October 2023", "the June meeting", "in 2019"), and which
articles are from then.

News is published within days of what it reports, so an article matches a named month when
it is dated in that month or in the first week after it (a story of 28 July can run on
2 August). A question that names no time tells nothing; one naming a time no article is
from (a background time: "What happened in 1990?") favours no article, but a sentence naming
that time is about it, one naming another is not (qa.answer.retrieve
``sentence_time_mismatch``).
"""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Optional

import numpy as np

MONTHS = ("january february march april may june july august september october november "
          "december").split()
WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
GRACE_DAYS = 7
_MONTH_YEAR = re.compile(r"\b(" + "|".join(MONTHS) + r")\b(?:\s+(?:of\s+)?((?:19|20)\d\d))?", re.I)
# "may" and "march" are also ordinary words ("may have", "a protest march"): they name a
# month only with a year after them, after a word like "in", or capitalised mid-sentence
# ("the March meeting").
_AMBIGUOUS = {"may", "march"}
_BEFORE = re.compile(r"\b(in|since|by|until|till|from|early|late|mid|last|this|next|of|during)\W*$", re.I)
# A year on its own is a time after "in", "of", "since" and the like, or before the thing of
# that year: "the 2019 election", "2019's budget" (not "the 2019-20 season", "1990s"). News
# writes a count of that size with a comma ("the 2,000 members"), so it is not read as one.
_YEAR = re.compile(r"\b(?:in|of|during|since|by|from)\s+((?:19|20)\d\d)\b|"
                   r"\bthe\s+((?:19|20)\d\d)\s+(?=[a-z])|\b((?:19|20)\d\d)[’']s\s+(?=[a-z])", re.I)


def _months(text: str):
    """(match, month number, year or None) for each month ``text`` names, "may" and "march"
    only where they are months (above)."""
    for m in _MONTH_YEAR.finditer(text):
        name, year = m.group(1).lower(), m.group(2)
        if name in _AMBIGUOUS and not year:
            before = text[:m.start()]
            capitalised = m.group(1)[0].isupper() and before.strip() and not before.rstrip().endswith((".", "?", "!"))
            if not (_BEFORE.search(before) or capitalised):
                continue
        yield m, MONTHS.index(name) + 1, int(year) if year else None


def named_period(question: str) -> Optional[tuple[Optional[int], Optional[int]]]:
    """(year, month) named by the question; either may be None (not both). The first
    month named wins; a bare year counts after "in", "of", "by" and the like, or before
    what it dates ("the 2019 election")."""
    for _, month, year in _months(question):
        return (year, month)
    y = _YEAR.search(question)
    return (_year(y), None) if y else None


def _year(m: re.Match) -> int:
    return int(next(g for g in m.groups() if g))


def month_table(dates) -> np.ndarray:
    """Per article (ISO dates, "" when unknown): [year, month] of its date and of the date
    GRACE_DAYS earlier, as two rows of an (n, 2, 2) int array; 0 when undated. Built once
    at load, so matching a question is numpy only."""
    out = np.zeros((len(dates), 2, 2), dtype=np.int32)
    for i, d in enumerate(dates):
        if d:
            day = dt.date.fromisoformat(str(d))
            before = day - dt.timedelta(days=GRACE_DAYS)
            out[i] = ((day.year, day.month), (before.year, before.month))
    return out


def _dated_in(table: np.ndarray, period: tuple[Optional[int], Optional[int]]) -> np.ndarray:
    """Per article (``month_table``): dated in ``period`` or within GRACE_DAYS after it
    (undated: False)."""
    year, month = period
    ok = np.ones(table.shape[:2], dtype=bool)
    if year is not None:
        ok &= table[:, :, 0] == year
    if month is not None:
        ok &= table[:, :, 1] == month
    return ok.any(axis=1)


def articles_from(table: np.ndarray, period: Optional[tuple[Optional[int], Optional[int]]]
                  ) -> Optional[np.ndarray]:
    """Per article (``month_table``): dated in ``period`` or within GRACE_DAYS after it;
    all False when no article is. None when that tells nothing: no period, no dated article,
    or every dated article matches."""
    if period is None or not len(table):
        return None
    out = _dated_in(table, period)
    dated = table[:, 0, 0] > 0
    if not dated.any() or out[dated].all():
        return None
    return out


def in_period(date: Optional[str], period: tuple[Optional[int], Optional[int]]) -> bool:
    """Is the article dated ``date`` (ISO; None: undated, never) from ``period`` (year,
    month), or within GRACE_DAYS after it?"""
    return bool(date) and bool(_dated_in(month_table([date]), period)[0])


_RELATIVE_YEAR = re.compile(r"^\W*(last|this|next)\s+year\b", re.I)
_OFFSET = {"last": -1, "this": 0, "next": 1}
# A day ("on Tuesday", "today", "last week") is the article's own month.
_DAYS = re.compile(r"\b(" + "|".join(WEEKDAYS) + r"|today|tonight|yesterday|"
                   r"this\s+week|last\s+week|this\s+morning|last\s+night)\b", re.I)
_YEAR_ALONE = re.compile(r"(\b(?:" + "|".join(MONTHS) + r")\s+)?\b(last|this|next)\s+year\b", re.I)


@lru_cache(maxsize=8192)     # the same candidates come back question after question (5 ms a 100)
def sentence_periods(text: str, date: str | None) -> tuple[tuple[Optional[int], Optional[int]], ...]:
    """The months and years a sentence names ("in May last year", "in October", "in 1975"),
    as (year, month), placed in time by its article's ISO ``date``: a month without a year
    is the last such month up to the article's ("in May" in an October 2023 article is May
    2023, "in November" November 2022), "last year" the year before it. A month that cannot
    be placed (no date) has no year. A day ("on Tuesday", "today") is the article's month."""
    day = dt.date.fromisoformat(date) if date else None
    out: list[tuple[Optional[int], Optional[int]]] = []
    for m, month, year in _months(text):
        if year:
            out.append((year, month))
            continue
        rel = _RELATIVE_YEAR.match(text[m.end():])
        if day is None:
            out.append((None, month))
        elif rel:
            out.append((day.year + _OFFSET[rel.group(1).lower()], month))
        else:
            out.append((day.year if month <= day.month else day.year - 1, month))
    out += [(_year(y), None) for y in _YEAR.finditer(text) if not any(p[0] == _year(y) for p in out)]
    if day is not None:      # "last year" on its own ("May last year" is placed above)
        out += [(day.year + _OFFSET[r.group(2).lower()], None) for r in _YEAR_ALONE.finditer(text)
                if not r.group(1)]
        if _DAYS.search(text) and (day.year, day.month) not in out:
            out.append((day.year, day.month))
    return tuple(out)


def conflicts(period: tuple[Optional[int], Optional[int]], named: tuple[Optional[int], Optional[int]]) -> bool:
    """Do two (year, month) pairs name different times (a part one leaves out agrees)?"""
    return any(a is not None and b is not None and a != b for a, b in zip(period, named))
