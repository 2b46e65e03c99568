"""Datelines: the line where a page states when it was published, and the date it names.

"20/07/2021 18:49 BST | Updated 21/07/2021 08:09 BST", "Tuesday 20 July 2021 18.00 BST",
"Published 20th July 2021". Only dates a reader could not misread are returned: a numeric
date like 07/08/2021 is day-first in Britain and month-first in the US, so it is read only
when the line itself settles the order (see ``parse_date``).
"""
from __future__ import annotations

import datetime as dt
import re

from qa.answer.when import MONTHS

MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
_ORD = r"(?:st|nd|rd|th)?"
_ANY_DATE = re.compile(rf"(\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|\b\d{{1,2}}{_ORD}\s+{MONTH}\.?,?\s+\d{{4}}|"
                       rf"\b{MONTH}\.?\s+\d{{1,2}}{_ORD},?\s+\d{{4}}|\b\d{{4}}-\d\d-\d\d|\b\d{{1,2}}:\d\d\b)", re.I)
# Named groups y, m (a number or a month name) and d, so every written form is read one way.
_WORDED = (re.compile(r"\b(?P<y>\d{4})-(?P<m>\d\d)-(?P<d>\d\d)(?!\d)"),
           re.compile(rf"\b(?P<d>\d{{1,2}}){_ORD}\s+(?P<m>{MONTH})\.?,?\s+(?P<y>\d{{4}})\b", re.I),
           re.compile(rf"\b(?P<m>{MONTH})\.?\s+(?P<d>\d{{1,2}}){_ORD},?\s+(?P<y>\d{{4}})\b", re.I))
_NUMERIC = re.compile(r"(?<![\d/])(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4})(?![\d/])")
# British time zones: a page that prints them writes its numeric dates day-first.
_DAY_FIRST_ZONE = re.compile(r"\b(BST|GMT)\b")
_MONTH_NUMBER = {name[:3]: i for i, name in enumerate(MONTHS, 1)}
# Everything a pure dateline is made of, besides its dates: times, weekdays, month names,
# zones and the words pages put around them. A line with other words is a headline or prose.
_DATELINE_WORDS = re.compile(
    rf"{_ANY_DATE.pattern}|\b({'|'.join(MONTHS)}|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\b|"
    r"\b(mon|tues?|wed|thu|thurs|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|\d+|"
    r"\b[ap]\.m\.|\b(published|updated|last|modified|posted|first|on|at|am|pm|bst|gmt|utc|cet|cest|"
    r"est|edt|cst|cdt|pst|pdt|ist|aest|aedt)\b", re.I)


def is_dateline(par: str) -> bool:
    """A short line holding a date or time and no sentence ending (a dateline, or a byline
    with its date)."""
    ends = re.search(r"(?<![ap]\.m)[.!?][\"”’]?$", par, re.I)     # "10:00 a.m." is not a sentence end
    return len(par.split()) <= 14 and bool(_ANY_DATE.search(par)) and not ends


def is_pure_dateline(par: str) -> bool:
    """A line that is nothing but a dateline: taken for the headline if it came first, it
    would be a date shown as the article's title."""
    if not is_dateline(par):
        return False
    return not re.search(r"[^\W\d_]{2,}", _DATELINE_WORDS.sub(" ", par))


def _numeric_dates(par: str) -> list[dt.date]:
    """The numeric dates of ``par`` in the order the line settles, or [] when it does not.

    Day-first when any date in the line has a first number over 12 (21/07/2021) or the line
    gives a British time zone; month-first when a second number is over 12 (07/21/2021).
    Neither (07/08/2021 alone), or both, leaves the line's numeric dates unread."""
    found = [(int(m["a"]), int(m["b"]), int(m["y"]), m.start()) for m in _NUMERIC.finditer(par)]
    day_first = any(a > 12 for a, _, _, _ in found) or bool(_DAY_FIRST_ZONE.search(par))
    month_first = any(b > 12 for _, b, _, _ in found)
    if day_first == month_first:
        return []
    out = []
    for a, b, y, _ in found:
        day, month = (a, b) if day_first else (b, a)
        try:
            out.append(dt.date(y, month, day))
        except ValueError:
            return []
    return out


def parse_date(par: str) -> str | None:
    """YYYY-MM-DD of the first date written in ``par`` ("20 July 2021", "July 20, 2021",
    "2021-07-20", "20/07/2021 18:49 BST"); None when there is none, when it is impossible
    (31 February) or when its day and month could be either way round (07/08/2021)."""
    firsts = []
    for rx in _WORDED:
        m = rx.search(par)
        if m:
            firsts.append((m.start(), m))
    numeric = _NUMERIC.search(par)
    if numeric and not any(pos < numeric.start() for pos, _ in firsts):
        dates = _numeric_dates(par)
        return dates[0].isoformat() if dates else None
    if not firsts:
        return None
    m = min(firsts, key=lambda x: x[0])[1]
    mon = m["m"]
    month = int(mon) if mon.isdigit() else _MONTH_NUMBER[mon[:3].lower()]
    try:
        return dt.date(int(m["y"]), month, int(m["d"])).isoformat()
    except ValueError:
        return None
