"""What a question names: names written in capitals or known from the articles, the subject
of "What is X?" and whether a sentence describes it, and what "he", "it" or "they" in a
follow-up stands for.

qa.answer.answer_type says what kind of answer a question wants; this module reads the
names it is about. General English rules, not per-corpus ones.
"""
from __future__ import annotations

import re
from functools import lru_cache

from qa.answer.answer_type import WORD, question_type, unpossessed_name
from qa.answer.when import MONTHS, WEEKDAYS

_LITTLE_WORDS = ("of", "for", "the", "and", "in", "on", "against")
_LITTLE = "(?:" + "|".join(_LITTLE_WORDS) + ")"
# A name: capitalised words ("McAllister" too), little words allowed between them.
_NAME_RUN = re.compile(rf"\b[A-Z](?:[\w’'-]*[a-z][\w’'-]*|[A-Z]+\b)(?:\s+(?:{_LITTLE}\s+)*[A-Z][\w’'-]+)*")
_DEFINE = re.compile(r"^\W*(?:who|what)\s+(?:is|are|was|were)\s+(?:the\s+)?(?P<x>.+?)[\s?.!]*$", re.I)


def _fold(word: str) -> str:
    return word.replace("’", "'").casefold()


def answer_entity(question: str, answer: str) -> str | None:
    """The name an earlier answer supplied: the first name in ``answer`` that the question
    did not already contain (a person for who-questions). Used to resolve "he"/"it" in the
    next question."""
    qwords = {_fold(w) for w in WORD.findall(question)}
    runs = list(_NAME_RUN.finditer(answer))
    # "Which union …?" wants the name that is a union's ("the Transport Workers Union"),
    # not the first name in the sentence.
    which = re.search(r"\bwhich\s+([a-z]+)", question, re.I)
    if which:
        noun = which.group(1).casefold().rstrip("s")
        for m in runs:
            words = [w for w in m.group().split() if w.lower() != "the"]
            if len(words) > 1 and any(w.casefold().rstrip("s") == noun for w in words):
                return unpossessed_name(" ".join(words))   # not the bare noun ("a senator from the state")
    # The name nearest the words the question asked about: "finance director Jane Doe"
    # for "Who is the general secretary?", not the website the sentence opened with.
    asked = [m.start() for m in re.finditer(r"[\w’'-]{4,}", answer) if _fold(m.group()) in qwords]
    best = None
    for m in runs:
        # A sentence's first word is capitalised anyway, and "Acme’s" in "Acme’s biggest
        # customer Globex" modifies the name that follows.
        if m.start() == 0 and " " not in m.group() or re.search(r"[’']s$", m.group()):
            continue
        words = m.group().split()
        if words[0].lower() == "the":
            words = words[1:]
        if not words or all(_fold(w) in qwords for w in words):
            continue
        gap = min((abs(m.start() - p) for p in asked), default=0)
        if best is None or gap < best[0]:
            best = (gap, unpossessed_name(" ".join(words)))
    return best[1] if best else None


_PARTICLES = {*_LITTLE_WORDS, "de", "da", "di", "du", "van", "von", "der", "la", "le", "al", "bin"}


@lru_cache(maxsize=4)
def _folded(names: frozenset[str]) -> frozenset[str]:
    """``names`` folded as ``_fold`` folds a word, once per set (a frozenset keeps its hash)."""
    return frozenset(_fold(n) for n in names)


def is_name(words: str, names: frozenset[str] = frozenset()) -> bool:
    """Capitalised words, little words and name particles between them ("Bank of
    England", "Ludwig van Beethoven"), and no description ("Acme's general secretary");
    in lower case, half its words or more ones the articles only write as names (``names``:
    "jane doe" when they write "Doe")."""
    ws = words.split()
    known = _folded(names)
    if ws and 2 * sum(_fold(w) in known for w in ws) >= len(ws):   # "jane doe": Doe is a name
        return True
    return (bool(ws) and ws[0][0].isupper() and ws[-1][0].isupper()    # not "Acme Trust for"
            and all(w[0].isupper() or w.casefold() in _PARTICLES for w in ws))


def referent(question: str, answer: str, names: frozenset[str] = frozenset()) -> str | None:
    """What "he", "it" or "they" in the next question stands for: what the earlier question
    asked about when it named it ("Who is Jane Doe?", "What did Unison say?"), else the name
    its answer supplied ("Which union condemned it?"). ``names``: as for ``names_something``."""
    m = _DEFINE.match(question)
    if m and is_name(m.group("x"), names):   # "Who is Jane Doe?" (not "Who is Acme's chair?")
        return unpossessed_name(m.group("x"))
    if question_type(question) not in ("person", "entity"):
        named = [n for n in _NAME_RUN.finditer(question) if n.start() > 0]
        if named:
            return unpossessed_name(named[0].group())
    return answer_entity(question, answer)


_PRONOUN = re.compile(r"\b(he|she|they|it|him|her|them|his|hers|its|their|theirs)\b", re.I)
_POSSESSIVE = {"his", "hers", "its", "their", "theirs"}


def resolve(question: str, entity: str) -> str | None:
    """``question`` with its first pronoun replaced by ``entity`` (None if it has none)."""
    m = _PRONOUN.search(question)
    if not m:
        return None
    word = m.group().lower()
    sub = f"{entity}’s" if word in _POSSESSIVE else entity
    if word == "her" and re.match(r"\s+(own\s+)?[a-z]+\s*(\?|$)", question[m.end():]) is None:
        sub = entity   # "her" as object ("what did they tell her?")
    return question[:m.start()] + sub + question[m.end():]


_PROPER = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-z’'-]+")
# Capitalised in English without naming a subject: "And in March 2022?" leans on the
# question before it like "And the year after?".
_CALENDAR = frozenset(MONTHS) | frozenset(WEEKDAYS)


def names_something(question: str, names: frozenset[str] = frozenset()) -> bool:
    """Does the question name its own subject: a capitalised word after the first, or a
    word the articles only ever write capitalised (``names``, from ``Lexicon.names``), so
    that "who is jane doe" typed in lower case names Jane Doe? A month or a weekday names
    no subject."""
    if any(m.group().casefold() not in _CALENDAR for m in _PROPER.finditer(question.strip())):
        return True
    return any(w.casefold() in names and w.casefold() not in _CALENDAR for w in WORD.findall(question))


# "Who is Jane Doe?", "What is a kidney stone?": the question asks what its subject is.
_DEFINITION = re.compile(r"^\W*(?:(?P<who>who)|what)\s+(?:is|are|was|were)\s+(?:the\s+|an?\s+)?"
                         r"(?P<x>[\w’'-]+(?:\s+[\w’'-]+){0,4}?)\s*\??\s*$", re.I)
_DESCRIBED_AFTER = r"\s*(?:,|–|—|\(|\s-)\s*(?:the|an?|one|who|which)\b"
# A sentence that says what something is ("… was a regional airline", "It is the largest …") may
# describe the subject under another name or a pronoun, so it counts too. Until session 13
# this was an ungrouped alternative of the pattern above, read as "X is a …" only; written
# out, it was measured against that stricter reading on the tuning halves, which it beat
# (docs/tuning.md, session 13).
_IS = r"\s+(?:is|are|was|were)\b"
_SAYS_WHAT_IS = re.compile(_IS + r"\s+(?:the|an?|one)\b", re.I)


def defined(question: str) -> str | None:
    """The subject a question asks to have described ("Jane Doe", "kidney stone"); None for
    other questions, and for "Who is the chair?", which wants a name, not a description."""
    m = _DEFINITION.match(question.strip())
    if not m:
        return None
    x = m.group("x")
    if is_name(x):
        return x
    # Something of someone's ("Acme's revenue", "the court's ruling") is asked for its value,
    # not to be described.
    if re.search(r"[’']s\b", x):
        return None
    # a thing, not a phrase about one ("the vote to ban X", "the capital of Y"); "Who is the
    # chair?" wants a name, not a description
    if m.group("who") or any(w.casefold() in _NOT_DESCRIPTORS for w in x.split()):
        return None
    return x


# A name written right before "is a …": the sentence says what that is ("Acme Ltd is a
# supplier"), which describes the subject only when it is the subject.
_NAME_BEFORE = re.compile(r"(?:^|[^\w’'-])((?:the\s+)?[A-Z][\w’'-]*(?:\s+(?:of\s+|for\s+|in\s+|the\s+)*[A-Z][\w’'-]*)*)$")


def _says_what_is(sentence: str, subject: str) -> bool:
    """Does ``sentence`` say what something is (``_SAYS_WHAT_IS``), other than a name that
    is not ``subject`` ("Acme Ltd is a supplier" does not describe "Acme Group")?"""
    for m in _SAYS_WHAT_IS.finditer(sentence):
        run = _NAME_BEFORE.search(sentence[:m.start()])
        name = run.group(1) if run else ""
        name = re.sub(r"^the\s+", "", name, flags=re.I)
        opening = run is not None and not sentence[:run.start(1)].strip()
        if not name or (opening and " " not in name) or name.casefold() == subject.casefold():
            return True           # a pronoun or a sentence's first word ("It is a …"), or the subject
    return False


def describes(subject: str, sentence: str) -> bool:
    """Does ``sentence`` say what ``subject`` is: "X, the/a …", "X – the …", a description
    right before the name ("party chair Jane Doe", "Acme’s backer Unison"), or what anything
    is ("X is a …", "It was the …": ``_SAYS_WHAT_IS``)?"""
    x = r"\s+".join(map(re.escape, subject.split()))
    if re.search(rf"\b{x}(?:[’']s)?{_DESCRIBED_AFTER}", sentence, re.I) or _says_what_is(sentence, subject):
        return True
    if re.search(rf"\b{x},?{_IS}", sentence, re.I):
        return True                       # "X is intended to …", "X, was set up by …": said of X
    if re.search(rf"[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)+\s*\({x}\)", sentence):
        return True                       # "the Federal Aviation Administration (FAA)"
    before = re.search(rf"(?:^|\s)([a-z][\w’'-]*|[A-Z]{{2,}}s?)\s+{x}\b", sentence)
    return bool(before) and before.group(1).casefold() not in _NOT_DESCRIPTORS


_NOT_DESCRIPTORS = frozenset("""a an the by of for to from with at in on and or but as that which who said says told
said: including include includes like about against between under over after before during into onto
than then when where while whose whom this these those its his her their our your my
""".split())
