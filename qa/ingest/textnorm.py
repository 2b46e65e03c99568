"""Text folding and the one tokenizer shared by indexing, querying and evaluation.

Folding maps typographic variants onto one form so that "Co-operation",
"co‑operation" and "cooperation" compare equal, and curly quotes equal straight
ones. Offsets are never computed on folded text: folding is only for matching.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Every dash and hyphen variant Unicode knows, folded to "-" (then dropped inside words).
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u00ad"
_QUOTES = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u02bc": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
}
_TRANS = str.maketrans({**{d: "-" for d in _DASHES}, **_QUOTES})
_WS = re.compile(r"\s+")
# Hyphens inside a word are removed so "co-operation" == "cooperation"; the same
# rule makes "co-operative" == "cooperative".
_INWORD_HYPHEN = re.compile(r"(?<=\w)-(?=\w)")
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves s t d ll m re ve also said says""".split()
)


_POSSESSIVE = re.compile(r"[’']s$")


def unpossessed(word: str) -> str:
    """``word`` without a possessive ending ("Acme’s" -> "Acme"), as written otherwise."""
    return _POSSESSIVE.sub("", word)


def _folded(text: str) -> str:
    """``fold`` but for whitespace, which tokens do not see. Most sentences hold no hyphen,
    and the regex pass is a quarter of the time of reading a sentence's words."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANS).casefold()
    return _INWORD_HYPHEN.sub("", text) if "-" in text else text


def fold(text: str) -> str:
    """Case-, quote-, dash-, width- and whitespace-folded copy of ``text`` for matching."""
    return _WS.sub(" ", _folded(text)).strip()


@dataclass(frozen=True)
class Tokenizer:
    """Folds, splits on non-word characters, drops stopwords, optionally stems.

    The same instance (same parameters, recorded in the index manifest) must tokenize
    both the corpus and the queries, or BM25 statistics stop meaning anything.
    """

    stem: bool = True
    stopwords: bool = True
    spelling: bool = True     # British and American spellings fold together (v2)
    initials: bool = True     # initials and their plural are one term, "MP" / "MPs" (v3)

    def params(self) -> dict:
        if self.initials and not self.spelling:
            raise ValueError("a tokenizer folding plural initials folds spellings too (qa-fold-v3)")
        name = "qa-fold-v3" if self.initials else "qa-fold-v2" if self.spelling else "qa-fold-v1"
        return {"name": name, "stem": self.stem, "stopwords": self.stopwords}

    @classmethod
    def from_params(cls, params: dict) -> "Tokenizer":
        """The tokenizer an index was built with; v1 (no spelling fold) and v2 (no plural
        initials) indexes still load."""
        name = params.get("name")
        if name not in ("qa-fold-v1", "qa-fold-v2", "qa-fold-v3"):
            raise ValueError(f"unknown tokenizer {name!r}")
        return cls(stem=bool(params["stem"]), stopwords=bool(params["stopwords"]),
                   spelling=name != "qa-fold-v1", initials=name == "qa-fold-v3")

    def words(self, text: str) -> list[str]:
        """Folded word tokens, stopwords kept, no stemming (for overlap measures)."""
        return _TOKEN.findall(_folded(text))

    def content_words(self, text: str) -> list[str]:
        """Folded words, stopwords dropped (when the tokenizer drops them)."""
        toks = self.words(text)
        return [t for t in toks if t not in STOPWORDS] if self.stopwords else toks

    def term(self, word: str) -> str:
        """The index term of one folded word: spelling fold, plural initials, then stem."""
        word = self.spelt(word)
        if self.initials and _PLURAL_INITIALS.match(word):
            word = word[:-1]
        return _stem_one(word) if self.stem else word

    def spelt(self, word: str) -> str:
        """One folded word in the spelling its term is made from ("colour" -> "color")."""
        return _spelling(word) if self.spelling else word

    def __call__(self, text: str) -> list[str]:
        return [self.term(w) for w in self.content_words(text)]


# British and American spellings of the same word. News copied between outlets (wire
# copy, aggregators) and readers' questions mix them: "organised" / "organized",
# "colour" / "color", "defence" / "defense", "centre" / "center". Each rule rewrites both
# spellings to one form before stemming (Snowball keeps them apart: "organis" vs
# "organ"). Rules are whole-word patterns over common suffixes, so unrelated words
# ("size", "prize", "four", "hour") are left alone.
_SPELLING = [
    (re.compile(r"^(\w{3,})is(e|ed|es|ing|ation|ations|er|ers)$"), r"\1iz\2"),
    (re.compile(r"^(\w{2,})ys(e|ed|es|ing|er|ers)$"), r"\1yz\2"),
    (re.compile(r"^(labo|favo|hono|colo|behavio|neighbo|rumo|humo|harbo|vigo|endeavo|savo|flavo|armo|"
                r"parlo|odo|valo|rigo|clamo|tumo|savio|splendo|cando|ardo|fervo)ur(\w*)$"), r"\1r\2"),
    (re.compile(r"^(defen|offen|preten|licen)c(e|es)$"), r"\1s\2"),
    (re.compile(r"^(cent|theat|met|lit|fib|somb|spect|calib|lust)re(s|d)?$"), r"\1er\2"),
    (re.compile(r"^(\w{2,}[aeiou])ll(ed|ing|er|ers)$"), r"\1l\2"),
    (re.compile(r"^programme(s|d)?$"), r"program\1"),
    (re.compile(r"^judgement(s)?$"), r"judgment\1"),
    (re.compile(r"^(\w+)ogue(s)?$"), r"\1og\2"),
]


# The plural of initials, folded: "MPs", "TVs", "CDs" (no vowel before the s). Snowball
# strips an s only after a vowel, so "MPs" stayed "mps" and a question about "MPs" missed
# every sentence naming one "MP". "Mrs" is a title, not a plural.
_PLURAL_INITIALS = re.compile(r"^(?!mrs$)[bcdfghjklmnpqrstvwxz]{2,}s$")


@lru_cache(maxsize=200_000)
def _spelling(word: str) -> str:
    for pattern, repl in _SPELLING:
        if pattern.match(word):
            return pattern.sub(repl, word, count=1)
    return word


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer  # PyStemmer: C Snowball, ~1M words/s

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=200_000)
def _stem_one(word: str) -> str:
    return _stemmer().stemWord(word)
