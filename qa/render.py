"""Safe HTML for the chat page. Every string that comes from an article, a question or
the index goes through ``html.escape`` here, and links are emitted only for http(s) URLs:
the chat shows this HTML as is (Markdown rendering is off), so nothing in an article can
become markup, a Markdown link or a script."""
from __future__ import annotations

import html
import re
from datetime import date
from typing import Optional
from urllib.parse import urlsplit

_TAG = re.compile(r"<[^>]+>")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def esc(text: object) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def safe_url(url: Optional[str]) -> Optional[str]:
    """The URL if it is an absolute http(s) URL without credentials, else None."""
    if not url or not isinstance(url, str):
        return None
    url = url.strip()
    if any(ord(c) < 33 for c in url):      # no whitespace/control chars smuggled into the href
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        return None
    return url


def nice_date(value: Optional[str]) -> str:
    """'2021-07-20' -> '20 July 2021'; anything unparsable is returned (escaped later) as is."""
    if not value:
        return ""
    try:
        d = date.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def citation_html(number: int, cite: dict) -> str:
    title = esc(cite.get("title") or cite.get("doc_id") or "Untitled article")
    url = safe_url(cite.get("url"))
    head = (f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer">{title}</a>'
            if url else f"<span>{title}</span>")
    bits = []
    if cite.get("source"):
        bits.append(f'<span class="qa-source">{esc(cite["source"])}</span>')
    if cite.get("date"):
        bits.append(f'<time datetime="{esc(cite["date"])}">{esc(nice_date(cite["date"]))}</time>')
    meta = f' <span class="qa-cite-meta">{" · ".join(bits)}</span>' if bits else ""
    return f'<li class="qa-cite" value="{number}">{head}{meta}</li>'


def context_html(answer: dict) -> str:
    ctx = answer.get("context") or {}
    before, after = ctx.get("before"), ctx.get("after")
    if not before and not after:
        return ""
    parts = []
    if before:
        parts.append(f"<p>{esc(before)}</p>")
    parts.append(f"<p><mark>{esc(answer.get('text'))}</mark></p>")
    if after:
        parts.append(f"<p>{esc(after)}</p>")
    return ('<details class="qa-context"><summary>Show surrounding sentences</summary>'
            + "".join(parts) + "</details>")


def answer_html(answer: dict, first_number: int) -> str:
    cites = list(answer.get("citations") or [])
    n = len(cites)
    badge = (f'<span class="qa-badge">Reported by {n} sources</span>' if n > 1 else "")
    items = "".join(citation_html(first_number + i, c) for i, c in enumerate(cites))
    return ('<div class="qa-answer">'
            f'<blockquote class="qa-quote">{esc(answer.get("text"))}</blockquote>'
            f'<div class="qa-sources">{badge}<ol class="qa-cites" start="{first_number}">{items}</ol></div>'
            f"{context_html(answer)}</div>")


def result_html(result: dict) -> str:
    """The chat message for one ``Result.to_dict()``."""
    if result.get("abstained") or not result.get("answers"):
        msg = result.get("message") or "I could not find an answer to that in the articles."
        return f'<div class="qa-abstain"><p>{esc(msg)}</p></div>'
    out, number = [], 1
    for answer in result["answers"]:
        out.append(answer_html(answer, number))
        number += len(answer.get("citations") or [])
    note = f'<p class="qa-note">{esc(result["message"])}</p>' if result.get("message") else ""
    return '<div class="qa-result">' + note + "".join(out) + "</div>"


ERROR_CLASS = 'class="qa-error"'      # marks a reply that answered nothing (qa.chat reads it)


def error_html(message: str) -> str:
    return f'<div {ERROR_CLASS} role="alert"><p>{esc(message)}</p></div>'


def plain_answers(result: dict) -> list[dict]:
    """What the feedback store keeps of a result: the quoted sentences and their articles."""
    return [{"text": a.get("text"), "doc_ids": [c.get("doc_id") for c in a.get("citations") or []]}
            for a in result.get("answers") or []]


def strip_tags(markup: str) -> str:
    """Visible text of a chat message (for feedback rows whose result is no longer cached)."""
    text = html.unescape(_TAG.sub(" ", markup or ""))
    return " ".join(text.split())
