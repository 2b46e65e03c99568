"""The verbs news uses to report speech, in one table, and the names a phrase gives.

Each rule that reads "<who> said …" wants its own subset of the verbs: who speaks in a
sentence (qa.answer.speakers) accepts any of them ("X condemned …" names a speaker), a
verdict ("X said it was '…'", qa.answer.tellings) only verbs that introduce words, and a
claim ("X said that …") also the verbs of belief that frame a claim ("X believes that …").
``forms(...)`` builds the regex alternation of a subset, so a verb is spelt once.
"""
from __future__ import annotations

import re

from qa.ingest.textnorm import unpossessed

# base -> (past, third person present). No form is a prefix of another, so the order of an
# alternation built from them never decides a match.
_FORMS = {
    "say": ("said", "says"), "add": ("added", "adds"), "warn": ("warned", "warns"),
    "tell": ("told", "tells"), "tweet": ("tweeted", "tweets"), "write": ("wrote", "writes"),
    "claim": ("claimed", "claims"), "argue": ("argued", "argues"), "insist": ("insisted", "insists"),
    "state": ("stated", "states"), "describe": ("described", "describes"), "call": ("called", "calls"),
    "accuse": ("accused", "accuses"), "brand": ("branded", "brands"), "condemn": ("condemned", "condemns"),
    "criticise": ("criticised", "criticises"), "criticize": ("criticized", "criticizes"),
    "declare": ("declared", "declares"), "urge": ("urged", "urges"), "complain": ("complained", "complains"),
    "respond": ("responded", "responds"), "reply": ("replied", "replies"),
    "allege": ("alleged", "alleges"), "suggest": ("suggested", "suggests"),
    "maintain": ("maintained", "maintains"), "believe": ("believed", "believes"),
}

# Who speaks: any verb that reports what someone said or how they judged it.
SPEAKING = ("say", "add", "warn", "tell", "tweet", "write", "claim", "argue", "insist", "state",
            "describe", "call", "accuse", "brand", "condemn", "criticise", "criticize", "declare",
            "urge", "complain", "respond", "reply")
# A verdict in the speaker's words: verbs that introduce quoted words.
VERDICT = ("say", "tweet", "write", "warn", "claim", "argue", "insist")
# A claim attributed to someone ("told <whom>" is matched by its own pattern).
CLAIM = ("say", "claim", "allege", "insist", "argue", "suggest", "state", "maintain", "believe")


def forms(bases: tuple[str, ...]) -> str:
    """A non-capturing regex alternation of the past and present forms of ``bases``."""
    return "(?:" + "|".join(f for b in bases for f in _FORMS[b]) + ")"


# A capitalised word that does not open the text: part of a name ("the union" has none).
CAPITAL = re.compile(r"(?<!^)\b[A-Z][\w’'-]+")
# A name of two or more capitalised words, small joining words allowed between them
# ("Friends of the Earth", "Acme Holdings"): a pattern string, for other patterns to build on.
NAME_OF_WORDS = r"[A-Z][\w’'-]*(?:\s+(?:(?:of|in|for|the|and|against|on|to)\s+)*[A-Z][\w’'-]*)+"


def named(text: str) -> set[str]:
    """The capitalised words of ``text`` after its first, folded, a possessive cut ("X's")."""
    return {unpossessed(w).casefold() for w in CAPITAL.findall(text.strip())}
