"""Typos in questions: a question word whose index term the corpus never uses, one edit
away from a word whose term it does use, is read as that word ("left horizen" -> horizon,
"complants" -> complaint, "outstandnig" -> outstanding).

Candidates are every word one deletion, transposition, substitution or insertion away
(Norvig's edits1, a few hundred strings), each mapped to its index term by the project's
tokenizer; the known term used in the most sentences wins. Only words of five letters or
more are corrected (short words have too many neighbours). It runs at query time only, on
unknown words only, so it needs nothing stored in the index.
"""
from __future__ import annotations

import re
from typing import Callable, Mapping, Optional

import numpy as np

from qa.index.lexicon import Lexicon
from qa.ingest.textnorm import STOPWORDS, Tokenizer

MIN_LEN = 5
# A word as ``fix`` reads it; a hyphenated one is left alone (the tokenizer joins its parts).
_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
_MISS = object()
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def edits1(word: str) -> set[str]:
    """Every string one deletion, transposition, substitution or insertion from ``word``."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return ({a + b[1:] for a, b in splits if b}
            | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
            | {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
            | {a + c + b for a, b in splits for c in _LETTERS}) - {word}


class Corrector:
    """Tokenizes a question like ``tokenizer`` does, correcting unknown words (above)."""

    def __init__(self, tokenizer: Tokenizer, term_id: Mapping[str, int], df: np.ndarray,
                 lexicon: Optional[Callable[[], Lexicon]] = None, dictionary: frozenset[str] = frozenset()):
        """``term_id`` and ``df``: the BM25 index's term -> column map and document counts;
        ``lexicon``: the articles' words (qa/index/lexicon.py; for ``fix``, asked for on the
        first unknown word); ``dictionary``: common words, never typos."""
        self.tokenizer = tokenizer
        self._id, self._df = term_id, df
        self._lexicon, self.dictionary = lexicon, dictionary
        self._words: Optional[frozenset[str]] = None
        self._written: dict[str, str] = {}            # folded word -> its capitalised form
        self._seen: dict[str, Optional[str]] = {}     # word -> correction (1-3 ms to find)
        self._spelt: dict[str, Optional[str]] = {}     # word -> the word ``fix`` writes for it

    def correct(self, word: str) -> Optional[str]:
        """The known term of the best word one edit from ``word`` (most sentences; ties:
        alphabetical), or None when ``word``'s own term is known, ``word`` is short or not
        plain ASCII letters, or no neighbour is known."""
        if (self.tokenizer.term(word) in self._id or len(word) < MIN_LEN
                or not (word.isascii() and word.isalpha())):
            return None
        best = self._seen.get(word, _MISS)
        if best is _MISS:
            terms = {self.tokenizer.term(c) for c in edits1(word) if self._may_be_known(c)}
            known = [t for t in terms if t in self._id]
            best = min(known, key=lambda t: (-int(self._df[self._id[t]]), t)) if known else None
            if len(self._seen) >= 50_000:   # bounded: questions are open-ended text
                self._seen.clear()
            self._seen[word] = best
        return best

    def _may_be_known(self, word: str) -> bool:
        """Cheap filter before stemming a candidate: a Snowball stem is almost always a
        prefix of its word at most five letters shorter ("complaints" -> "complaint"), or
        ends in i for a final y ("happy" -> "happi"). Stemming every candidate took
        8-16 ms a word. The prefix is taken after the spelling fold: "colour"'s term is
        "color", no prefix of "colour"."""
        known = self._id
        word = self.tokenizer.spelt(word)
        return (any(word[:n] in known for n in range(max(3, len(word) - 5), len(word) + 1))
                or (word.endswith("y") and word[:-1] + "i" in known))

    def fix(self, text: str, capitalised: Callable[[], frozenset[str]] = frozenset) -> str:
        """``text`` with its typos written as the words they are read as, so that what reads
        the question's words rather than its index terms (the sentence encoder, the answer
        model, the answer-type and speaker rules) reads what BM25 reads. Stricter than the
        terms: a word is rewritten only when ``dictionary`` does not hold it (BM25 reads
        "founded" as "funded" in a corpus that never says "founded"; "Who funded X?" is
        another question), and only as a word the articles use, one edit away, the same length
        first (a transposition or a slip), then alphabetical; a capital is kept. A capitalised
        word is a name's, and is rewritten only as a word the articles write capitalised in
        a name (``capitalised()``, folded, ``Lexicon.capitalised``: read only when needed):
        "Fergsuon" as "Ferguson", "Assocaition" as the "Association" of a name the articles write,
        but "Solara" not as "solar" where they never write "Solar". Without a dictionary or
        the articles' words nothing is rewritten."""
        if not self.dictionary or self._lexicon is None:
            return text

        def spelt(m: re.Match) -> str:
            word = m.group()
            low = word.casefold()
            if "-" in word or low in self.dictionary or low in STOPWORDS:
                return word
            fixed = self._spelling(low)
            if fixed is None or (word[:1].isupper() and fixed not in capitalised()):
                return word
            if word.isupper() and len(word) > 1:
                return fixed.upper()
            # a name as the articles write it ("McDonald", not "Mcdonald")
            return self._written.get(fixed, fixed[:1].upper() + fixed[1:]) if word[:1].isupper() else fixed

        return _WORD.sub(spelt, text)

    def _spelling(self, low: str) -> Optional[str]:
        """The word ``fix`` writes for the unknown word ``low`` (None: none)."""
        fixed = self._spelt.get(low, _MISS)
        if fixed is _MISS:        # read once, kept in a local: another thread may clear the cache
            best = self.correct(low)
            near = [] if best is None else \
                [c for c in edits1(low) if c in self.words and self.tokenizer.term(c) == best]
            fixed = min(near, key=lambda c: (len(c) != len(low), c)) if near else None
            if len(self._spelt) >= 50_000:
                self._spelt.clear()
            self._spelt[low] = fixed
        return fixed

    @property
    def words(self) -> frozenset[str]:
        """Every word the articles use, folded, taken from the lexicon on the first unknown
        word, with how the articles most often write each capitalised one (``_written``)."""
        if self._words is None:
            lexicon = self._lexicon()
            self._written = lexicon.written()
            self._words = frozenset(lexicon.words)
        return self._words

    def __call__(self, text: str) -> list[str]:
        tok = self.tokenizer
        return [self.correct(w) or tok.term(w) for w in tok.content_words(text)]
