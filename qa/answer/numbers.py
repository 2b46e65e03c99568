"""Numbers as news writes them, read from a sentence's tokens: figures ("2,000", "£1.5bn",
"40%", "9m"), number words ("two hundred and fifty", "twenty-five", "a thousand") and vague
amounts ("hundreds", "tens of thousands", "several hundred"). What each one counts is read by
qa/answer/quantities.py.
"""
from __future__ import annotations

import re
from typing import Optional

WORD_VALUES = {w: n for n, w in enumerate("zero one two three four five six seven eight nine ten eleven "
                                          "twelve thirteen fourteen fifteen sixteen seventeen eighteen "
                                          "nineteen".split())}
WORD_VALUES.update({w: 10 * n for n, w in
                    enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)})
SCALES = {"dozen": 12, "hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9}
VAGUE = {"tens": 10, "dozens": 12, "scores": 20, "hundreds": 100, "thousands": 1e3, "millions": 1e6, "billions": 1e9}
_MULT = {"k": 1e3, "m": 1e6, "bn": 1e9}
_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_TOKEN = re.compile(rf"(?P<num>(?<![\w:/.,£$€])(?P<cur>[£$€])?(?P<n>{_NUM})(?P<mult>bn|m|k)?(?P<pct>%)?"
                    rf"(?![\w:/]|[.,]\d))|(?P<word>[^\W\d_]+(?:[’'][^\W\d_]+)?)|(?P<junk>\w+)|(?P<p>\S)")
ANY_NUMBER = re.compile(r"\d|\b(?:" + "|".join(list(WORD_VALUES) + list(SCALES) + list(VAGUE)) + r")\b", re.I)
# How much or how many in words, without a number: "only a few", "all of them", "half".
_QUANTIFIER = re.compile(r"\b(?:few|several|many|much|all|both|most|numerous|handful|none|every|each|"
                         r"countless|multiple|majority|minority|half|quarter|third|single|dozen|lone|sole|"
                         r"once|twice|thrice|free)\b", re.I)


# A list of three or more names ("Leeds, York and Hull"): counting them answers "how many".
_LISTED = re.compile(r"\b[A-Z][^,;:()]*,\s+(?:(?:the\s+)?[A-Z][^,;:()]*,\s+)*(?:the\s+)?[A-Z][^,;:()]*?"
                     r"\s+(?:and|or)\s+(?:the\s+)?[A-Z]")


def tells_quantity(text: str) -> bool:
    """Does ``text`` say how many or how much at all: a number, in figures or words, a
    word of quantity ("a few", "all", "half", "free"), or a list of names to count? A
    sentence that does not cannot answer "how many …?"."""
    return bool(ANY_NUMBER.search(text) or _QUANTIFIER.search(text) or _LISTED.search(text))


class Tokens:
    """A sentence as tokens: numbers (``m`` match groups: cur, n, mult, pct), words, marks."""

    def __init__(self, text: str):
        self.m = list(_TOKEN.finditer(text))
        self.kind = ["num" if m.group("num") else m.lastgroup for m in self.m]
        self.low = [m.group().lower() for m in self.m]

    def words(self, j: int, n: int = 1) -> list[str]:
        return self.low[j:j + n]


def int_value(word: str) -> Optional[int]:
    return int(word) if word.isdigit() else WORD_VALUES.get(word.lower())


def number(t: Tokens, i: int) -> Optional[tuple[float, int, bool]]:
    """(value, next token, vague) of the number written at token i, else None."""
    m = t.m[i]
    if t.kind[i] == "num":
        if m.group("mult") and not m.group("cur"):
            return None                       # "9m": metres or millions, unknowable
        value, j, vague = float(m.group("n").replace(",", "")) * _MULT.get(m.group("mult") or "", 1), i + 1, False
        if t.words(j) and t.low[j] in SCALES:
            value, j = value * SCALES[t.low[j]], j + 1
    elif t.kind[i] == "word" and (t.low[i] in VAGUE or m.group()[0].islower() or m.start() == 0):
        value, j, vague = _word_number(t, i)  # (a capital mid-sentence is a name: "Formula One")
    else:
        return None
    return None if j == i else (value, j, vague)


def _word_number(t: Tokens, i: int) -> tuple[float, int, bool]:
    """(value, next token, vague) of number words: "two hundred and fifty", "twenty-five",
    "a thousand"; "hundreds", "tens of thousands", "several hundred" are vague."""
    if t.low[i] in VAGUE:
        base, j = VAGUE[t.low[i]], i + 1
        if t.words(j) == ["of"] and t.words(j + 1) and t.low[j + 1] in VAGUE:
            base, j = base * VAGUE[t.low[j + 1]], j + 2
        return base, j, True
    total = current = 0.0
    j = i
    while j < len(t.low):
        w, nxt = t.low[j], (t.low[j + 1] if j + 1 < len(t.low) else "")
        if w in WORD_VALUES:
            current += WORD_VALUES[w]
        elif w in ("a", "an") and j == i and nxt in SCALES:
            current = 1
        elif w in SCALES and (j > i or w != "dozen"):
            if SCALES[w] < 1e3:
                current = max(current, 1) * SCALES[w]
            else:
                total, current = total + max(current, 1) * SCALES[w], 0
        elif not (j > i and nxt in WORD_VALUES and ((w == "and" and t.low[j - 1] in SCALES)
                                                    or (w == "-" and touching(t, j)))):
            break
        j += 1
    vague = j == i + 1 and t.low[i] in SCALES and i > 0 and t.low[i - 1] in ("several", "few")
    return total + current, j, vague


def touching(t: Tokens, j: int) -> bool:
    """A hyphen joins only words it touches ("twenty-five"); a spaced dash separates."""
    return 0 < j < len(t.m) - 1 and t.m[j - 1].end() == t.m[j].start() and t.m[j].end() == t.m[j + 1].start()


