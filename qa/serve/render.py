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
# Side labels of a disagreement, by kind: "Account 1" / "Account 2" for different figures,
# "Wording 1" / "Wording 2" for one statement quoted differently, "Source 1" / "Source 2" for
# one claim given to different speakers, "Name 1" / "Name 2" for one thing named two ways,
# "Version 1" / "Version 2" for one thing told with a detail more or less.
SIDE_LABELS = {"figures": "Account", "wording": "Wording", "attribution": "Source", "naming": "Name",
               "detail": "Version", None: "Version"}
# Inline styles: the chat's HTML goes through Gradio's sanitiser, which keeps style attributes,
# and the page's CSP allows them (style-src 'unsafe-inline'); ui/chat.css has no rules for these.
_GROUP_STYLE = "margin:14px 0"
_SIDES_STYLE = "display:flex;flex-wrap:wrap;gap:12px;margin:8px 0 4px"
_SIDE_STYLE = "flex:1 1 240px;min-width:0;padding:8px 12px;border:1px solid #e7e5e4;border-radius:8px"
_SIDE_LABEL_STYLE = ("margin:0 0 6px;font-size:12px;font-weight:600;letter-spacing:.04em;"
                     "text-transform:uppercase;color:#57534e")
_SPEAKER_STYLE = "margin:0 0 4px;font-size:14px;font-style:italic;color:#44403c"
_LEAD_STYLE = "display:block;font-style:italic"
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
    return f'<li class="qa-cite" value="{number}">{head}{meta}{lead_in_html(cite)}</li>'


def lead_in_html(cite: dict) -> str:
    """This outlet's own words introducing the quote ("A party spokeswoman said:"), in
    quotation marks: a merged quote leaves them out, and they say who is speaking."""
    lead = cite.get("lead_in").strip() if isinstance(cite.get("lead_in"), str) else ""
    return f' <span class="qa-cite-lead" style="{_LEAD_STYLE}">“{esc(lead)}”</span>' if lead else ""


def first_lead_in(answer: dict) -> Optional[str]:
    """The lead-in shown above a merged quote: the first citation's that has one."""
    return next((c["lead_in"].strip() for c in answer.get("citations") or []
                 if isinstance(c.get("lead_in"), str) and c["lead_in"].strip()), None)


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
    lead = first_lead_in(answer)
    speaker = f'<p class="qa-lead-in" style="{_SPEAKER_STYLE}">“{esc(lead)}”</p>' if lead else ""
    return ('<div class="qa-answer">' + speaker +
            f'<blockquote class="qa-quote">{esc(answer.get("text"))}</blockquote>'
            f'<div class="qa-sources">{badge}<ol class="qa-cites" start="{first_number}">{items}</ol></div>'
            f"{context_html(answer)}</div>")


def read_as_html(result: dict) -> str:
    """How the question was read, when its words differ from what was typed (else "")."""
    read = result.get("read_as")
    return f'<p class="qa-read-as">Read as: “{esc(read)}”</p>' if read else ""


def result_html(result: dict) -> str:
    """The chat message for one ``Result.to_dict()``."""
    if result.get("abstained") or not result.get("answers"):
        msg = result.get("message") or "I could not find an answer to that in the articles."
        return f'<div class="qa-abstain">{read_as_html(result)}<p>{esc(msg)}</p></div>'
    answers, out, number = result["answers"], [], 1
    for item in layout(result):        # citations numbered in the order they are shown
        if item[0] == "answer":
            out.append(answer_html(answers[item[1]], number))
            number += len(answers[item[1]].get("citations") or [])
        elif item[0] == "group":
            markup, number = group_html(item[1], item[2], answers, number)
            out.append(markup)
        else:
            out.append(f'<p class="qa-note qa-disagree-msg">{esc(item[1].get("message"))}</p>')
    note = f'<p class="qa-note">{esc(result["message"])}</p>' if result.get("message") else ""
    return '<div class="qa-result">' + read_as_html(result) + note + "".join(out) + "</div>"


def group_html(dis: dict, sides: list[list[int]], answers: list[dict], number: int) -> tuple[str, int]:
    """A disagreement: its fixed message, then its sides side by side, each side its quotes
    with their citations. Returns the markup and the next citation number."""
    label = SIDE_LABELS.get(dis.get("kind"), SIDE_LABELS[None])
    cols = []
    for n, side in enumerate(sides, 1):
        inner = []
        for i in side:
            inner.append(answer_html(answers[i], number))
            number += len(answers[i].get("citations") or [])
        cols.append(f'<div class="qa-side" style="{_SIDE_STYLE}">'
                    f'<p class="qa-side-label" style="{_SIDE_LABEL_STYLE}">{esc(label)} {n}</p>'
                    + "".join(inner) + "</div>")
    msg = esc(dis.get("message") or "")
    return (f'<div class="qa-disagree" role="group" data-kind="{esc(dis.get("kind"))}" aria-label="{msg}"'
            f' style="{_GROUP_STYLE}">'
            f'<p class="qa-note qa-disagree-msg">{msg}</p>'
            f'<div class="qa-sides" style="{_SIDES_STYLE}">' + "".join(cols) + "</div></div>", number)


def disagreement_sides(dis: dict, n_answers: int) -> Optional[list[list[int]]]:
    """The sides of one disagreement as valid answer positions (each once), or None when
    fewer than two sides are left: a record that cannot be drawn side by side."""
    sides, seen = [], set()
    for side in dis.get("answers") or []:
        ok = [i for i in (side if isinstance(side, list) else [])
              if type(i) is int and 0 <= i < n_answers and i not in seen]
        seen.update(ok)
        if ok:
            sides.append(ok)
    return sides if len(sides) >= 2 else None


def layout(result: dict) -> list[tuple]:
    """The order every front end shows a result's answers in (the CLI and qa.serve.render; the
    widget has the same rule): ("answer", i) for an answer on its own; ("group", dis, sides)
    for a disagreement, drawn where its first answer ranks, each of its answers shown in it
    and not again on its own (one in two disagreements is shown in both); ("notice", dis),
    first, for a disagreement whose sides cannot be drawn, so its message is still shown."""
    n = len(result.get("answers") or [])
    notices, groups, grouped = [], {}, set()
    for dis in result.get("disagreements") or []:
        if not isinstance(dis, dict):
            continue
        sides = disagreement_sides(dis, n)
        if sides is None:
            notices.append(("notice", dis))
            continue
        groups.setdefault(min(min(s) for s in sides), []).append(("group", dis, sides))
        grouped.update(i for s in sides for i in s)
    items = notices
    for i in range(n):
        items.extend(groups.get(i, ()))
        if i not in grouped:
            items.append(("answer", i))
    return items


ERROR_CLASS = 'class="qa-error"'      # marks a reply that answered nothing (qa.serve.chat reads it)


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
