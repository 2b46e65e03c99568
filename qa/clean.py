"""Boilerplate removal by general rules, never per-file hacks.

The cleaner never rewrites text: it returns the spans of the original text worth
keeping, one per paragraph, so every later offset still points into the file.
"""
from __future__ import annotations

import re
from typing import Iterator

from .when import MONTHS

Span = tuple[int, int]

_PHOTO = re.compile(
    # Scraped pages often glue the label to the credit: "image copyrightGetty Images",
    # "image captionSir Keir ...", so no word boundary after the label.
    r"^(image|photo|photograph|picture|pic|media)\s*(copyright|source|caption|credit)|"
    r"\bvia getty images\b|^(photo|photograph|picture|image|credit|pic)s?\s*(by)?\s*[:©]|"
    r"^©|\bcopyright\s*©|^\(?photo by\b|\b(pa|ap|reuters|afp|shutterstock) (images|photo|wire)\b.{0,40}$|"
    # A caption that ends in its credit: "... at the conference. Photograph: Stefan Rousseau/PA"
    r"\b(photograph|photo|picture|image)\s*(credit)?\s*:\s*[^.!?:]{2,60}$",
    re.I,
)
_LINE_JUNK = re.compile(
    r"^(source:\s*read full article|read full article|read more\b.{0,80}$|comments are closed\.?|"
    r"share this( article| story)?\b.{0,40}$|(facebook|twitter|email|whatsapp|linkedin|copy link)"
    r"([\s,|/]+(facebook|twitter|email|whatsapp|linkedin|copy link|x|messenger))+$|"
    r"advertisement$|sign up\b.{0,80}newsletter.{0,40}$|click here\b.{0,80}$|"
    r"(leave|post) a (comment|reply)\b.{0,40}$|\d+\s+comments?$|with \d+ comments?$|"
    r"related (articles|stories|posts)?:?$|tags?:.{0,120}$|filed under:.{0,120}$|"
    r"this article is (more|less) than .{0,30} old\.?$|(published|updated|last updated|posted)( on)?:?$|"
    r"follow (us|\w+) on (twitter|x|facebook|instagram|bluesky)\b.{0,60}$)",
    re.I,
)
# Headings that open a trailing list of unrelated headlines.
_TAIL = re.compile(r"^(more from\b.{0,60}|more (stories|on this story)|related( articles| stories| topics| posts)?|"
                   r"most (read|popular|viewed)|you may also like|recommended|latest news|trending|"
                   r"top stories|read next|elsewhere on .{1,30}|around the .{1,30})\s*:?$", re.I)
# A first line longer than this is body text, not a headline.
MAX_TITLE_WORDS = 40
_BYLINE = re.compile(r"^(by|words by|written by|reporting by)\s+[A-Z][\w.'’-]+", re.I)
# "Political correspondent, BBC News": the line under a byline that gives the writer's job.
_ROLE = re.compile(r"^([\w’'-]+\s+){0,3}(correspondent|editor|reporter|writer|journalist|columnist|"
                   r"staff|contributor)\b[\w\s,&’'-]{0,40}$", re.I)
_NAME = re.compile(r"^[A-Z][\w'’.-]+(\s+[A-Z][\w'’.-]+){1,3}(\s*[,|–—-]\s*[A-Z][\w ]{2,40})?$")
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
_ORD = r"(?:st|nd|rd|th)?"
_DATELINE = re.compile(rf"(\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|\b\d{{1,2}}{_ORD}\s+{_MONTH}\.?,?\s+\d{{4}}|"
                       rf"\b{_MONTH}\.?\s+\d{{1,2}}{_ORD},?\s+\d{{4}}|\b\d{{4}}-\d\d-\d\d|\b\d{{1,2}}:\d\d\b)", re.I)
_DONATE_SIGNALS = [
    re.compile(p, re.I) for p in (
        r"\bdonat(e|ion|ing)\b", r"\bsupport (us|our)\b", r"\bcontribut(e|ion)\b", r"\bsubscri(be|ption)\b",
        r"[£$€]\s?\d+\b", r"\bbecome a (member|supporter|patron|subscriber)\b", r"\bpatreon\b",
        r"\b(independent|our) (journalism|reporting|media|work)\b", r"\breaders?\b", r"\bpaywall\b",
        r"\bfund(ed|ing)? (us|our)\b", r"\bkeep (us|this site|our)\b", r"\bmonthly\b",
    )
]


def lines(text: str) -> Iterator[Span]:
    """Stripped, non-empty line spans of ``text`` (handles \\n, \\r\\n and \\r)."""
    for m in re.finditer(r"[^\r\n]+", text):
        s, e = m.span()
        seg = m.group()
        s += len(seg) - len(seg.lstrip())
        e -= len(seg) - len(seg.rstrip())
        if e > s:
            yield s, e


def is_donation_appeal(par: str) -> bool:
    """At least three independent appeal signals: one alone is ordinary news prose
    (a story about party donations, say)."""
    return sum(1 for p in _DONATE_SIGNALS if p.search(par)) >= 3


def _is_byline(par: str, position: int) -> bool:
    words = par.split()
    if _BYLINE.match(par) and len(words) <= 14 and not par.endswith((".", "?", "!", "”", '"')):
        return True
    if _ROLE.match(par) and len(words) <= 8:
        return True
    # A bare name (optionally ", Political Editor") right under the headline.
    return position < 3 and len(words) <= 8 and bool(_NAME.match(par)) and not par.endswith(".")


def _is_dateline(par: str) -> bool:
    return len(par.split()) <= 14 and bool(_DATELINE.search(par)) and not re.search(r"[.!?][\"”’]?$", par)


def _is_furniture(par: str) -> bool:
    """A photo credit or caption, or a one-line piece of page furniture (share bar, "Source:
    Read Full Article", "Comments are closed." ...)."""
    return bool((_PHOTO.search(par) and len(par.split()) <= 30) or _LINE_JUNK.match(par))


def _is_short_heading(par: str) -> bool:
    return len(par.split()) <= 14 and not re.search(r"[.!?:][\"”’)]?$", par)


# Named groups y, m (a number or a month name) and d, so every form is read one way.
_DATES = (re.compile(r"\b(?P<y>\d{4})-(?P<m>\d\d)-(?P<d>\d\d)(?!\d)"),
          re.compile(rf"\b(?P<d>\d{{1,2}}){_ORD}\s+(?P<m>{_MONTH})\.?,?\s+(?P<y>\d{{4}})\b", re.I),
          re.compile(rf"\b(?P<m>{_MONTH})\.?\s+(?P<d>\d{{1,2}}){_ORD},?\s+(?P<y>\d{{4}})\b", re.I))
_MONTH_NUMBER = {name[:3]: i for i, name in enumerate(MONTHS, 1)}


def parse_date(par: str) -> str | None:
    """YYYY-MM-DD of the first unambiguous date written in ``par`` ("20 July 2021",
    "July 20, 2021", "2021-07-20"); None for none or an impossible one. 07/08/2021 is
    left alone: day-first or month-first cannot be told."""
    import datetime as dt

    for rx in _DATES:
        m = rx.search(par)
        if not m:
            continue
        mon = m["m"]
        month = int(mon) if mon.isdigit() else _MONTH_NUMBER[mon[:3].lower()]
        try:
            return dt.date(int(m["y"]), month, int(m["d"])).isoformat()
        except ValueError:
            return None
    return None


def header_date(text: str, skip_first: bool = False) -> str | None:
    """The date of a dateline above the article's first paragraph ("Published 20 July
    2021", "Tuesday 20 July 2021 18:00 BST"): what the page says of its own date, used when
    no metadata gives one. A date inside the body is an event's, never the article's."""
    for n, (s, e) in enumerate(lines(text)):
        par = text[s:e]
        if n == 0 and skip_first and len(par.split()) <= MAX_TITLE_WORDS:
            continue
        if _is_dateline(par):
            found = parse_date(par)
            if found:
                return found
            continue
        if _is_furniture(par) or _is_byline(par, 0):
            continue
        return None      # the first paragraph of the article: the header is over
    return None


def body_spans(text: str, skip_first: bool = False) -> tuple[list[Span], Span | None]:
    """Paragraph spans to keep, and the title line's span when ``skip_first``.

    Rules, in order: photo credits and captions, one-line junk ("Source: Read Full
    Article", share bars, "Comments are closed."), bylines and datelines near the top,
    donation appeals, and trailing "More from …" headline lists.
    """
    kept: list[Span] = []
    title = None
    first_seen = not skip_first
    in_tail = False
    position = 0
    for s, e in lines(text):
        par = text[s:e]
        if not first_seen:
            first_seen = True
            # A first line longer than any headline is body text (a file that is one
            # enormous line, say): it is kept, and the article has no title line.
            if len(par.split()) <= MAX_TITLE_WORDS:
                title = (s, e)
                continue
        if _TAIL.match(par):
            in_tail = True
            continue
        if in_tail:
            if _is_short_heading(par):
                continue
            in_tail = False
        if _is_furniture(par):
            continue
        if position < 4 and (_is_byline(par, position) or _is_dateline(par)):
            continue
        if is_donation_appeal(par):
            continue
        kept.append((s, e))
        position += 1
    return kept, title
