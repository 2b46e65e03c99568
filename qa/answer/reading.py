"""How a question is read before anything scores it: as if typed with care.

A chat box gets "can you tell me who chairs the panel", "who chairs the pannel" and
"who chairs the panel" for one question. The readers of a question's words (BM25, the
sentence encoder, the answer model, the answer-type and speaker rules) should see one:
- a lead-in that only asks to be told ("Can you tell me", "Do you know if", "Hi,") is
  dropped, so the question word opens the question again and carries no extra words;
- a question word run into "is" ("What's", "whats", "Who's") is written out, as the rules
  that read "What is the name of …" or "Who is X?" expect;
- a typo is written as the articles' word (qa.answer.spelling ``Corrector.fix``);
- typed without capitals, the words the articles only write as names get theirs back;
- "Tell me about X" of a name X is read as "What is X?".
``Assistant.query`` applies ``read``; the answer still echoes the question as typed.
"""
from __future__ import annotations

import re
from typing import Callable, Optional

from qa.answer.naming import is_name
from qa.index.lexicon import NAME_WORD
from qa.ingest.textnorm import unpossessed

_GREETING = r"(?:(?:hi|hello|hey)(?:\s+there)?\b[\s,!.:;-]*)?(?:(?:please|so|ok|okay)\b[\s,]*)?"
_ASK = (r"(?:(?:can|could|would|will)\s+(?:you|someone|anyone)\s+(?:please\s+)?(?:tell|remind|show)\s+me|"
        r"(?:do|does)\s+(?:you|anyone|someone)\s+(?:happen\s+to\s+)?know|(?:please\s+)?tell\s+me|"
        r"i(?:['’]d|\s+would)\s+like\s+to\s+know|i\s+(?:want|need)\s+to\s+know|"
        r"i\s+(?:was|am|['’]m)\s+wondering|i\s+wonder|(?:do\s+you\s+have\s+)?any\s+idea)")
# The lead-in, then (kept) the question word the real question opens with; "if" and
# "whether" are dropped with the lead-in ("Do you know if the vote passed?").
_LEAD_IN = re.compile(rf"^\W*{_GREETING}(?:{_ASK}\s*[,:]?\s*(?:(?:if|whether)\s+)?"
                      r"(?=\w)|(?=(?:who|whom|whose|what|when|where|why|how|which|is|are|was|were|did|does|do|has|have|had|can|could|will|would)\b))",
                      re.I)
# "what's" / "whats": "what is" ("what has" too, but the rules only read the "is" questions)
_CONTRACTED = re.compile(r"\b(what|who|where|how|that)(?:['’]s|s)\b", re.I)
MIN_WORDS_LEFT = 2       # what is left must still be a question ("Can you tell me?" is kept)
# What "Tell me about X" leaves: asked of a name, it asks what X is.
_ABOUT = re.compile(r"^\W*(?:more\s+)?about\s+(?P<x>[^?.!]+?)[\s?.!]*$", re.I)


def unprefaced(question: str) -> str:
    """``question`` without a lead-in asking to be told (module docstring); unchanged when
    it has none, or when too little would be left."""
    m = _LEAD_IN.match(question)
    if not m or not re.search(r"\w", m.group()):     # no words dropped: as typed
        return question
    rest = question[m.end():]
    if len(rest.split()) < MIN_WORDS_LEFT:
        return question
    return rest[:1].upper() + rest[1:]


def spelt_out(question: str) -> str:
    """``question`` with a question word run into "is" written out ("What's" -> "What is")."""
    return _CONTRACTED.sub(lambda m: m.group(1) + " is", question)


def typed_lower(text: str) -> bool:
    """Is ``text`` typed without capitals (its first letter aside)?"""
    return not any(c.isupper() for c in text[1:])


def truecased(question: str, names: frozenset[str], once: frozenset[str] = frozenset()) -> str:
    """``question`` with the words the articles only write as names (``names``, from
    ``qa.index.lexicon.Lexicon.names``) capitalised: "what did jane doe say" reads as
    "what did Jane Doe say", so the rules that find a name by its capitals (who is asked
    about, whose verdict) read a question typed in lower case as they read it with capitals.
    ``once``: words the articles write capitalised whenever they use them, if only once
    (``Lexicon.names(1)``); one alone may be a headline's word, so these are capitalised
    only two or more in a row, as a first name and a surname are ("jane doe" where the
    articles name her once)."""
    words = list(NAME_WORD.finditer(question))
    known = [unpossessed(m.group().casefold()) for m in words]
    run = [False] * len(words)
    for i in range(len(words) - 1):
        adjacent = not question[words[i].end():words[i + 1].start()].strip()
        if adjacent and known[i] in once and known[i + 1] in once:
            run[i] = run[i + 1] = True
    out, at = [], 0
    for m, word, in_run in zip(words, known, run):
        w = m.group()
        out.append(question[at:m.start()])
        out.append(w[:1].upper() + w[1:] if word in names or in_run else w)
        at = m.end()
    return "".join(out) + question[at:]


def asked_about(question: str, names: frozenset[str]) -> str:
    """"About X" (what "Tell me about X" leaves once its lead-in is dropped) as "What is X?"
    when X is a name ("About Acme Holdings" -> "What is Acme Holdings?"), so that it is read
    as a question about what X is; anything else unchanged ("About the protest": a topic,
    not a thing to describe)."""
    m = _ABOUT.match(question)
    if not m:
        return question
    x = m.group("x")
    return f"What is {x}?" if is_name(re.sub(r"^the\s+", "", x, flags=re.I), names) else question


def read_as(typed: str, read: str) -> Optional[str]:
    """``read`` when its words differ from ``typed`` (a typo fixed, a lead-in dropped), to
    show the reader how the question was taken; None when only capitals or the closing
    punctuation differ."""
    def words(text: str) -> list[str]:
        return re.findall(r"[\w’'-]+", text.casefold())
    return read if words(read) != words(spelt_out(typed)) else None


def read(question: str, fix: Callable[[str], str], names: Callable[[], frozenset[str]],
         once: Callable[[], frozenset[str]] = frozenset) -> str:
    """``question`` as the pipeline reads it: its lead-in dropped, "what's" written out, its
    typos written as ``fix`` writes them, and, typed without capitals, its names capitalised
    (``names()`` and ``once()``, read only then: ``truecased``)."""
    text = fix(spelt_out(unprefaced(question)))
    if typed_lower(text):
        text = truecased(text, names(), once())
    return asked_about(text, names()) if _ABOUT.match(text) else text
