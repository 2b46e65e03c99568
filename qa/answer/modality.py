"""Figures stated as facts and figures stated as prospects.

News gives many figures as what may or will happen: "as many as 2,000 workers could lose
their jobs", "the scheme is expected to cost £2bn", "hundreds face the sack". A question
that asks how many there are or were in fact ("How many members does the club have?",
"How many jobs were actually lost in the end?") is not answered by such a prospect, and
two outlets' different prospects are not a disagreement about it.

A question asks a settled count when it says it wants the outcome ("actually", "in the
end", "so far", "in total"), or asks what something has ("How many members does X
have?"), and speaks of no prospect itself ("How many will lose their jobs?", "How many are
expected to …?"). Past tense alone does not count: "How many jobs were lost?" is often asked
of a report that they will be; nor does "How many … are there?": "How many stations are
there on the new line?" is answered by "the line would have twelve stations" (a developer's
probe of the same form, bench/probes/session18.jsonl, was withheld by a first version).

A figure is a prospect when its clause (the text between commas, semicolons, colons,
dashes or brackets) holds a modal verb or a word of expectation. Clauses are cut where a
comma is followed by a space, so "1,000" stays whole.
"""
from __future__ import annotations

import re

from qa.answer.quantities import Figure, figures

# Words by which a question asks about a prospect: it is then answered by one.
_PROSPECT_ASKED = re.compile(
    r"\b(will|would|could|can|may|might|shall|should|going\s+to|expect\w*|likely|set\s+to|"
    r"fac(?:e|es|ing)|risk\w*|threat\w*|plan\w*|predict\w*|forecast\w*|project\w*|estimat\w*|"
    r"potential\w*|possibl\w*|propos\w*)\b|'ll\b", re.I)
# Words by which it asks for the outcome, or what something has.
_SETTLED_ASKED = re.compile(
    r"\b(actually|really|in\s+fact|in\s+the\s+end|eventually|ultimately|finally|so\s+far|to\s+date|"
    r"in\s+total|altogether)\b|"
    r"\b(?:do|does|did)\b.*\bhave\b(?!\s+to\b)|\b(?:has|have|had)\b.*\bgot\b", re.I)
# A clause stating a prospect: modal verbs (lower-case "may": "May" is also a month),
# expectation and threat.
_PROSPECT = re.compile(
    r"(?i:\b(?:will|would|could|might|shall)\b|'ll\b|\b(?:expected|likely|set)\s+to\b|"
    r"\b(?:face|faces|facing)\b|\bat\s+risk\b|\b(?:threaten\w*|predict\w*|forecast\w*|projected)\b)|\bmay\b")
_CLAUSE = re.compile(r",\s|;|:|\s[–—-]\s|[()]")


def asks_settled(question: str) -> bool:
    """Does ``question`` ask for a settled figure, which a prospect does not answer?"""
    return bool(_SETTLED_ASKED.search(question)) and not _PROSPECT_ASKED.search(question)


def prospect(clause: str) -> bool:
    """Does ``clause`` state what may or will happen?"""
    return bool(_PROSPECT.search(clause))


def settled_figures(text: str, more: bool = False) -> list[Figure]:
    """The figures of ``text`` (``qa.answer.quantities.figures``) outside clauses that state
    a prospect."""
    return [f for clause in _CLAUSE.split(text) if not prospect(clause) for f in figures(clause, more)]
