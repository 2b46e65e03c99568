"""How two outlets' sentences tell one statement: the predicates qa.answer.disagree and
qa.answer.versions use to say that two sentences are one statement told differently.

Wording. Quoted passages (“…”, ‘…’, "…") of two answers are aligned word by word (folded,
British and American spellings alike): a stretch of at least MIN_QUOTE_WORDS shared words
with small differences inside and a similarity of at least MIN_QUOTE_RATIO is one
statement quoted differently. A quote that only stops earlier, or leaves words out with
an ellipsis, is not.

Verdicts. Two outlets report one speaker's verdict on the same thing in the same frame,
"<speaker> said/tweeted (that) it was <quote>", with quotes that share no words: one
speaker's judgement, quoted in different words by each outlet ("X said it was 'reckless'"
against "X tweeted that it was a 'cynical' ploy"). The speaker must be one the question
names and asks what they said or thought of it ("What did X say about …?", "How did X
react?"), so a question about something else ("Who is X?") is not told of it.

Details. Two outlets tell one thing in the same words, but one stops where the other goes
on with one more word: "who is still barred from the tennis club, said" against "who is
still barred from the tennis club committee following": the club, or only its
committee? The shared stretch must hold at least MIN_DETAIL_WORDS words, one of them a
word of the question, end at a punctuation mark in one sentence and carry on with a content
word in the other. One of the two must be the first answer (among all near pairs, it also
flagged a question the articles do not answer, by its third and fourth answers).

Attribution. Two outlets report one claim in near-identical words (a word-for-word
similarity of at least MIN_CLAIM_RATIO after "<who> said") but name speakers with no
word in common ("Officials said ..." against "Insiders said ..."): the reader is told the
outlets attribute it differently. "A party spokeswoman said" and "The party said" share a
word and are one speaker.

Naming. Asked what something is called, two outlets give one thing names of which one is the
other cut short, each article using only its own form (``renamed``).
"""
from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Optional, Sequence

from qa.answer.speech import CAPITAL, CLAIM, NAME_OF_WORDS, VERDICT, forms
from qa.ingest.textnorm import Tokenizer

MIN_QUOTE_WORDS = 6      # shared words before two quotes count as one statement
MIN_QUOTE_RATIO = 0.8    # difflib similarity of the aligned stretch
MAX_QUOTE_GAP = 3        # words one difference may span inside the aligned stretch
MIN_CLAIM_RATIO = 0.55   # difflib similarity of two attributed claims told as one
MIN_CLAIM_WORDS = 6      # shorter claims are too generic to call one claim
MIN_DETAIL_WORDS = 4     # shared words before one outlet's extra word counts as a detail

_SPELL = Tokenizer(stem=False, stopwords=False)   # folds spelling only: for quotes
_QUOTE = re.compile(r"“([^”]*)(?:”|$)|‘((?:[^’]|’(?=\w))*)(?:’(?!\w)|$)|\"([^\"]*)(?:\"|$)|"
                    r"(?<!\w)'((?:[^']|'(?=\w))*)'(?!\w)")
_SPEAKER = Tokenizer()                            # content words, stemmed: for who said it
# "<who> said/says/told reporters/... (that) <claim>", at the start of a sentence.
_SAID = re.compile(r"^\W*(?:(?:but|and|however|meanwhile|yet),?\s+)?(?P<who>[^,;:“”\"‘’()]{2,80}?)\s+"
                   rf"(?:has\s+|have\s+|had\s+)?(?:{forms(CLAIM)}|told\s+\S+(?:\s+\S+)?)(?:\s+that)?\s+(?P<what>.+)$", re.I)
_EDITORIAL = re.compile(r"\.\.\.|…|\[[^\]]*\]")   # omissions and insertions split a quote


# ------------------------------------------------------------------ wording
def quotes(text: str) -> list[list[str]]:
    """Folded word sequences of the quoted passages in ``text``. A passage may run to the
    end of the sentence (the quote goes on in the next one), or end at a closing mark
    with no opening one (it began in the previous sentence)."""
    passages = [next(g for g in m.groups() if g is not None) for m in _QUOTE.finditer(text)]
    head = re.match(r"([^“”\"]+)”", text)
    parts = [p for passage in passages + ([head.group(1)] if head else []) for p in _EDITORIAL.split(passage)]
    return [ws for ws in ([_SPELL.term(w) for w in _SPELL.words(p)] for p in parts) if ws]


def reworded(a: Sequence[str], b: Sequence[str]) -> bool:
    """Do word sequences ``a`` and ``b`` share a stretch that is near-identical but not equal?"""
    blocks = [m for m in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks() if m.size]
    for s in range(len(blocks)):              # every run of matching blocks with small gaps
        shared = blocks[s].size
        for e in range(s + 1, len(blocks)):
            prev, cur = blocks[e - 1], blocks[e]
            if max(cur.a - prev.a - prev.size, cur.b - prev.b - prev.size) > MAX_QUOTE_GAP:
                break
            shared += cur.size
            span = (cur.a + cur.size - blocks[s].a) + (cur.b + cur.size - blocks[s].b)
            if shared >= MIN_QUOTE_WORDS and 2 * shared / span >= MIN_QUOTE_RATIO:
                return True
    return False


# ------------------------------------------------------------------ verdicts
_VERB = forms(VERDICT)
# "<speaker> said (that) it was <quote>": the speaker, then what the verdict is about.
_VERDICT = re.compile(rf"(?P<who>[^.;:“”\"]{{0,80}}?)\b(?:has\s+|had\s+)?{_VERB}\s+(?:that\s+)?"
                      r"(?:it|this|that|the\s+\w+(?:\s+\w+)?)\s+(?:was|is|were|are|had\s+been|would\s+be)\s+"
                      r"(?:(?:a|an|the|both|simply|just|merely|nothing\s+but)\s+)?[“‘\"']")
_ASKS_VIEW = re.compile(r"\b(say|said|says|tweet\w*|write|wrote|think|thought|view\w*|react\w*|respon\w*|"
                        r"comment\w*|describe\w*|call(?:ed)?(?!\s+for\b)|criticis\w*|criticiz\w*|make\s+of|opinion)\b", re.I)


def asks_view(question: str) -> bool:
    """Does the question ask what someone said or thought ("What did X say …?", "How did X react?")?"""
    return bool(_ASKS_VIEW.search(question))


def content_words(text: str) -> set[str]:
    """Stemmed content words (the tokenizer that reads speakers)."""
    return set(_SPEAKER(text))


def verdict_speaker(text: str) -> frozenset[str]:
    """The capitalised words naming who gave a verdict in ``text`` ("<who> said it was
    '…'"); empty when the sentence gives none in that frame."""
    m = _VERDICT.search(text)
    return frozenset(w.casefold() for w in CAPITAL.findall(m.group("who"))) if m else frozenset()


# ------------------------------------------------------------------ details
_PIECE = re.compile(r"[\w’'-]+|[,.;:!?–—()“”‘’\"]")


def extended(a: str, b: str, question: str) -> bool:
    """Do ``a`` and ``b`` tell one thing in the same words, one stopping at a punctuation
    mark where the other carries on with a content word (module docstring)?"""
    asked = set(_SPEAKER(question))
    written = [p.group() for p in _PIECE.finditer(a)]
    x, y = [w.casefold() for w in written], [p.group().casefold() for p in _PIECE.finditer(b)]
    for m in SequenceMatcher(None, x, y, autojunk=False).get_matching_blocks():
        words = [w for w in x[m.a:m.a + m.size] if w[0].isalnum()]
        if len(words) < MIN_DETAIL_WORDS or not asked & set(_SPEAKER(" ".join(words))):
            continue
        # a shared name ("Friends of the Earth") is no shared telling: a content word
        # outside the capitalised ones is
        if not _SPEAKER(" ".join(w for w in written[m.a:m.a + m.size] if w[0].isalnum() and not w[0].isupper())):
            continue
        after_x = x[m.a + m.size] if m.a + m.size < len(x) else "."
        after_y = y[m.b + m.size] if m.b + m.size < len(y) else "."
        for stop, more in ((after_x, after_y), (after_y, after_x)):
            if not stop[0].isalnum() and more[0].isalnum() and _SPEAKER(more):
                return True
    return False


# ------------------------------------------------------------------ attribution
def attributed(text: str) -> Optional[tuple[frozenset[str], list[str]]]:
    """(speaker's content words, the claim's folded words) of "<who> said <claim>"; None
    when the sentence does not open that way."""
    m = _SAID.match(text)
    if not m:
        return None
    who = frozenset(_SPEAKER(m.group("who")))
    what = [_SPELL.term(w) for w in _SPELL.words(m.group("what"))]
    return (who, what) if who and len(what) >= MIN_CLAIM_WORDS else None


def reattributed(a: str, b: str) -> bool:
    """Do sentences ``a`` and ``b`` give one claim to speakers with no word in common?"""
    x, y = attributed(a), attributed(b)
    if x is None or y is None or x[0] & y[0]:
        return False
    return SequenceMatcher(None, x[1], y[1], autojunk=False).ratio() >= MIN_CLAIM_RATIO


def differs(a: str, b: str) -> Optional[str]:
    """How two outlets' sentences tell one statement differently: "attribution" (a claim
    given to another speaker), "wording" (a quote worded otherwise), or None."""
    if reattributed(a, b):
        return "attribution"
    qa_, qb = quotes(a), quotes(b)
    return "wording" if any(reworded(x, y) for x in qa_ for y in qb) else None


# ------------------------------------------------------------------ naming
_NAME = re.compile(NAME_OF_WORDS)
_ASKS_NAME = re.compile(r"\b(called|named|name\s+of|the\s+name)\b|^\W*name\b|^\W*(?:(?:and|so|then)\s+)?which\s+(?:[\w-]+\s+){0,2}?"
                        r"(group|organi[sz]ation|faction|movement|campaign|union|body|party|network|outfit)s?\b", re.I)
MIN_NAME_WORDS = 2       # a one-word short form ("Acme" for "Acme Holdings") is ordinary


def asks_name(question: str) -> bool:
    """Does the question ask what something is called ("What is X called?", "Which (banned)
    group …?": a which-question about an organisation wants its name)?"""
    return bool(_ASKS_NAME.search(question))


def _names(text: str) -> list[list[str]]:
    out = []
    for m in _NAME.finditer(text):
        words = m.group().split()
        if words[0] == "The":
            words = words[1:]
        if len(words) >= MIN_NAME_WORDS:
            out.append([w.strip("’'").casefold() for w in words])
    return out


def _uses(article: str, words: Sequence[str]) -> bool:
    return re.search(r"\b" + r"\s+".join(map(re.escape, words)) + r"\b", article, re.I) is not None


def renamed(a: str, b: str, article_a: str, article_b: str) -> bool:
    """Do sentences ``a`` and ``b`` give one thing names of which one is the other cut short
    ("Harbour Arts" / "Harbour Arts Trust"), each article using only its own form? An article
    that uses both forms holds them for one name, so that is no disagreement."""
    for x in _names(a):
        for y in _names(b):
            short, long_ = sorted((x, y), key=len)
            if len(short) == len(long_) or long_[:len(short)] != short:
                continue
            if not _uses(article_a if short is x else article_b, long_):
                return True
    return False
