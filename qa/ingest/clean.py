"""Boilerplate removal by general rules, never per-file hacks.

The cleaner never rewrites text: it returns the spans of the original text worth
keeping, at most one per line, so every later offset still points into the file. A kept
span is a whole stripped line, or a line less a leading bullet or a trailing photo caption
glued on after its last sentence.
"""
from __future__ import annotations

import re
from typing import Iterator

from qa.ingest.dateline import is_dateline, is_pure_dateline, parse_date

Span = tuple[int, int]

_PHOTO = re.compile(
    # Scraped pages often glue the label to the credit: "image copyrightReuters",
    # "image captionThe minister ...", so no word boundary after the label.
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
_DONATE_SIGNALS = [
    re.compile(p, re.I) for p in (
        r"\bdonat(e|ion|ing)\b", r"\bsupport (us|our)\b", r"\bcontribut(e|ion)\b", r"\bsubscri(be|ption)\b",
        r"[£$€]\s?\d+\b", r"\bbecome a (member|supporter|patron|subscriber)\b", r"\bpatreon\b",
        r"\b(independent|our) (journalism|reporting|media|work)\b", r"\breaders?\b", r"\bpaywall\b",
        r"\bfund(ed|ing)? (us|our)\b", r"\bkeep (us|this site|our)\b", r"\bmonthly\b",
        r"\bif you can afford\b", r"\bjoin (us|our) (supporters|members|subscribers|readers)\b",
        r"\bnot already (reading|subscribed|signed up|a (member|supporter|subscriber))\b",
        r"\b(daily|weekly|morning|evening) (round-?up|newsletter|briefing|email|digest)\b",
    )
]
# Signals that make a line an appeal on its own, and that make the line after an appeal
# one too (the appeal goes on: "If you can afford it, can you join our supporters …").
APPEAL_SIGNALS = 3
APPEAL_GOES_ON = 2
# How paragraphs of running text end: . ! ? … (and other scripts' full stops) or a colon
# before a quote, then any closing quotes or brackets.
_SENTENCE_END = re.compile(r"[.!?…‼⁇⁈⁉。！？؟۔।॥:][\"'”’»›)\]」』]*$")
_BULLET = re.compile(r"^[•●▪◦‣∙·*–—-]\s+")
# A photo caption glued after a paragraph's last sentence, or opening a line: "Pictured:",
# "Pictured left:", "(Pictured)", "Above:", "Photo:". Only right after a sentence ends, so
# "The minister (pictured) said …" inside a sentence is left alone.
_LABEL = r"(?:pictured|above|below|inset|main (?:picture|image|photo)|photo|photograph|picture|image)"
_GLUED_CAPTION = re.compile(
    rf"(?:^|([.!?…][\"'”’)\]]*)\s+)(?:\(\s*{_LABEL}\b[^)]*\)|{_LABEL}"
    r"(?:\s*\(?(?:left|right|centre|center|above|below|inset|from left|left to right|l-r)\)?)?\s*:)\s*\S", re.I)


def lines(text: str) -> Iterator[Span]:
    """Stripped, non-empty line spans of ``text`` (handles \\n, \\r\\n and \\r)."""
    for m in re.finditer(r"[^\r\n]+", text):
        s, e = m.span()
        seg = m.group()
        s += len(seg) - len(seg.lstrip())
        e -= len(seg) - len(seg.rstrip())
        if e > s:
            yield s, e


def _appeal_signals(par: str) -> int:
    return sum(1 for p in _DONATE_SIGNALS if p.search(par))


def is_donation_appeal(par: str) -> bool:
    """At least three independent appeal signals: one alone is ordinary news prose
    (a story about party donations, say)."""
    return _appeal_signals(par) >= APPEAL_SIGNALS


def _is_byline(par: str, position: int) -> bool:
    words = par.split()
    if _BYLINE.match(par) and len(words) <= 14 and not par.endswith((".", "?", "!", "”", '"')):
        return True
    if _ROLE.match(par) and len(words) <= 8:
        return True
    # A bare name (optionally ", Political Editor") right under the headline.
    return position < 3 and len(words) <= 8 and bool(_NAME.match(par)) and not par.endswith(".")


def _is_furniture(par: str) -> bool:
    """A photo credit or caption, or a one-line piece of page furniture (share bar, "Source:
    Read Full Article", "Comments are closed." ...)."""
    return bool((_PHOTO.search(par) and len(par.split()) <= 30) or _LINE_JUNK.match(par))


def _is_short_heading(par: str) -> bool:
    return len(par.split()) <= 14 and not re.search(r"[.!?:][\"”’)]?$", par)


def ends_like_sentence(par: str) -> bool:
    """Ends in . ! ? … (or another script's full stop) or a colon, then any closing quotes
    or brackets: how every paragraph of running text ends."""
    return bool(_SENTENCE_END.search(par))


def _bullet_start(par: str) -> int:
    """Characters of a leading bullet marker and its space ("• "), 0 when there is none."""
    m = _BULLET.match(par)
    return m.end() if m else 0


def _caption_cut(par: str) -> int | None:
    """Where a photo caption glued after the paragraph's last sentence starts ("… values.
    Pictured: X and Y in 2019"), so the span can end before it; 0 for a line that is all
    caption, None when there is none."""
    m = _GLUED_CAPTION.search(par)
    if not m:
        return None
    return m.end(1) if m.group(1) else 0


def punctuated_layout(text: str, spans: list[Span]) -> bool:
    """Whether the article writes one paragraph a line, each ending like a sentence. Only
    then does a line without a sentence ending mark furniture: in a hard-wrapped file most
    lines end mid-sentence, and in an unpunctuated one every line does."""
    ends = [ends_like_sentence(text[s:e]) for s, e in spans
            if len(text[s:e].split()) >= 5 and not _bullet_start(text[s:e])]
    return bool(ends) and sum(ends) * 2 >= len(ends)


def title_line(text: str, spans: list[Span]) -> int | None:
    """Index in ``spans`` of the headline: the first line, or the second when the first is
    only a dateline ("20/07/2021 18:49 BST | Updated …"). None when that line is too long
    for a headline: it is body text."""
    for i, (s, e) in enumerate(spans[:2]):
        if i == 0 and is_pure_dateline(text[s:e]):
            continue
        return i if len(text[s:e].split()) <= MAX_TITLE_WORDS else None
    return None


def quotable(text: str, s: int, e: int) -> Span | None:
    """The part of kept line ``text[s:e]`` that a quote may use: the line less a leading
    bullet marker ("• ") and less a photo caption glued after its last sentence ("…
    values. Pictured: X and Y in 2019"); None when nothing is left."""
    par = text[s:e]
    bullet = _bullet_start(par)
    cut = _caption_cut(par)
    end = len(par) if cut is None else cut
    return (s + bullet, s + end) if end > bullet else None


def _keep_line(text: str, s: int, e: int, strict: bool, position: int) -> bool:
    if _is_furniture(text[s:e]):
        return False
    part = quotable(text, s, e)
    if part is None:
        return False
    par = text[part[0]:part[1]]
    if position < 4 and (_is_byline(par, position) or is_dateline(par)):
        return False
    # Captions, crossheads, standfirsts and bylines are the lines of a punctuated article
    # that do not end like a sentence; bullet points are text even without a full stop.
    return not strict or bool(_bullet_start(text[s:e])) or ends_like_sentence(par)


def body_spans(text: str, skip_first: bool = False) -> tuple[list[Span], Span | None]:
    """The lines to keep (whole stripped lines), and the title line's span when
    ``skip_first``. ``article_spans`` narrows them to what a quote may use.

    Rules, in order: trailing "More from …" lists, donation appeals, photo credits and
    captions, one-line junk ("Source: Read Full Article", share bars, "Comments are
    closed."), bylines and datelines near the top, and lines without a sentence ending (in
    an article whose paragraphs have them) unless they are bullet points.
    """
    spans = list(lines(text))
    first = title_line(text, spans) if skip_first else None
    body = spans[first + 1:] if first is not None else spans
    strict = punctuated_layout(text, body)
    kept: list[Span] = []
    in_tail = appeal = False
    for s, e in body:
        par = text[s:e]
        if _TAIL.match(par):
            in_tail = True
            continue
        if in_tail:
            if _is_short_heading(par):
                continue
            in_tail = False
        # An appeal runs over several lines, and its later ones ("If you can afford it,
        # can you join our supporters giving £10 a month?") carry fewer signals alone.
        appeal = _appeal_signals(par) >= (APPEAL_GOES_ON if appeal else APPEAL_SIGNALS)
        if appeal:
            continue
        if _keep_line(text, s, e, strict, len(kept)):
            kept.append((s, e))
    return kept, (spans[first] if first is not None else None)


def article_spans(text: str, skip_first: bool = False) -> tuple[list[Span], Span | None]:
    """``body_spans`` with each kept line narrowed by ``quotable``: the spans an article's
    sentences are cut from, every one still an exact slice of ``text``."""
    kept, title = body_spans(text, skip_first)
    parts = (quotable(text, s, e) for s, e in kept)
    return [p for p in parts if p], title


def date_above(text: str, kept: list[Span], title: Span | None) -> str | None:
    """The date of a dateline above the article's first kept paragraph ("Published 20 July
    2021", "20/07/2021 18:49 BST"): what the page says of its own date, used when no
    metadata gives one. A date inside the body is an event's, never the article's."""
    stop = kept[0][0] if kept else len(text)
    for s, e in lines(text):
        if e > stop:     # the line of the first kept span, or one below it
            break
        if (s, e) != title and is_dateline(text[s:e]):
            found = parse_date(text[s:e])
            if found:
                return found
    return None
