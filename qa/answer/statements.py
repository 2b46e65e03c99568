"""One statement that two outlets quote alike and then carry on differently.

News prints a long statement in pieces: a quoted paragraph whose sentences after the first
carry no quote marks of their own (the quote opened earlier and closes later), or a quote
cut and resumed ("“…,” the group said, adding: “…”"). Two outlets that quote the same
words of it and then go on with different words have quoted the statement differently,
and a reader of either one cannot tell. Sentence by sentence, one side of such a pair is
often a sentence with no quote marks at all ("This has nothing to do with X." inside a
quoted paragraph), so ``qa.answer.tellings``, which reads one sentence's quotes, does not
see it.

So the quote a sentence belongs to is read across its passage (``quote_run``): back to the
sentence that opened it and on to the one that closes it, at most MAX_RUN sentences each
way. Two runs are one statement carried on differently (``parted``) when their quoted words
share a stretch of at least MIN_SHARED words, after which both go on for at least MIN_AFTER
words that do not line up again (no MIN_REALIGN words in a row in common among the next
AFTER_READ). A quote that only stops earlier, or is worded a little differently inside the
stretch, is not this (the latter is ``tellings.reworded``).
"""
from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Callable, Optional, Sequence

from qa.answer.tellings import MIN_QUOTE_WORDS, quotes

MIN_SHARED = MIN_QUOTE_WORDS   # words quoted alike before the copies part
MIN_AFTER = 4                  # words each copy must go on with after the shared stretch
AFTER_READ = 15                # words after the shared stretch compared
MIN_REALIGN = 3                # words in a row in common there: the copies line up again
MAX_RUN = 4                    # sentences of one quote read before and after a sentence

# Quote marks, read in order: curly double ones, straight double ones (each opens a quote
# when none is open, else closes it), and curly single ones that are not an apostrophe (‘ not
# after a letter; ’ not before one). An opening mark while a quote is open starts it anew, as
# news does when a quote runs into another paragraph ("“… / “… .”"). Double and single marks
# are followed apart: a plural possessive ("members’ rights") reads as a closing single mark
# and must not end a double-quoted statement.
_MARK = re.compile(r"(?P<open2>“)|(?P<close2>”)|(?P<straight>\")|(?P<open1>(?<![\w’'])‘)|(?P<close1>’(?!\w))")


def _after(text: str, double: bool, single: bool) -> tuple[bool, bool]:
    """Whether a double and a single quote are open after ``text``, given those open before it."""
    for m in _MARK.finditer(text):
        kind = m.lastgroup
        if kind in ("open2", "close2", "straight"):
            double = kind == "open2" or (kind == "straight" and not double)
        else:
            single = kind == "open1"
    return double, single


def quote_run(row: int, text_of: Callable[[int], str], same_passage: Callable[[int, int], bool]
              ) -> tuple[list[int], list[bool]]:
    """The sentences of the quote sentence ``row`` belongs to, in order, and for each whether
    a quote is open where it starts: just ``row`` when it neither starts inside a quote an
    earlier sentence opened nor leaves one open for the next. Marks are counted from the
    passage's start, or from MAX_RUN sentences before ``row`` in a longer passage."""
    first = row
    while row - first < MAX_RUN and same_passage(first - 1, row):
        first -= 1
    last = row
    while last - row < MAX_RUN and same_passage(last + 1, row):
        last += 1
    double = single = False
    opened = []
    for r in range(first, last + 1):
        opened.append(double or single)
        double, single = _after(text_of(r), double, single)
    opened.append(double or single)                # after the last sentence
    lo = hi = row - first
    while lo > 0 and opened[lo]:
        lo -= 1
    while hi < last - first and opened[hi + 1]:
        hi += 1
    return list(range(first + lo, first + hi + 1)), opened[lo:hi + 1]


def _quoted_words(texts: Sequence[str], opened: Sequence[bool]) -> tuple[list[str], list[int]]:
    """The quoted words of a run, folded, and for each the position of its sentence."""
    words, where = [], []
    for k, (text, inside) in enumerate(zip(texts, opened)):
        for passage in quotes(("“" if inside else "") + text):
            words += passage
            where += [k] * len(passage)
    return words, where


def parted(run_a: Sequence[str], opened_a: Sequence[bool], run_b: Sequence[str], opened_b: Sequence[bool]
           ) -> Optional[tuple[int, int, int]]:
    """Where two quote runs, quoting one stretch alike, part: (the position in ``run_a`` of the
    sentence holding the stretch's last word, the positions in ``run_a`` and ``run_b`` of the
    sentences where each goes on differently); None when they do not (module docstring)."""
    a, where_a = _quoted_words(run_a, opened_a)
    b, where_b = _quoted_words(run_b, opened_b)
    for m in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks():
        end_a, end_b = m.a + m.size, m.b + m.size
        if m.size < MIN_SHARED or len(a) - end_a < MIN_AFTER or len(b) - end_b < MIN_AFTER:
            continue
        rest = SequenceMatcher(None, a[end_a:end_a + AFTER_READ], b[end_b:end_b + AFTER_READ], autojunk=False)
        if max((x.size for x in rest.get_matching_blocks()), default=0) >= MIN_REALIGN:
            continue
        return where_a[end_a - 1], where_a[end_a], where_b[end_b]
    return None


def run_words(row: int, text_of: Callable[[int], str], same_passage: Callable[[int, int], bool]) -> list[str]:
    """The quoted words of the quote ``row`` belongs to, when that quote runs over more than
    one sentence (else none: the sentence's own quotes are searched already)."""
    rows, opened = quote_run(row, text_of, same_passage)
    return _quoted_words([text_of(r) for r in rows], opened)[0] if len(rows) > 1 else []


def goes_on_otherwise(a: int, b: int, text_of: Callable[[int], str], same_passage: Callable[[int, int], bool]
                      ) -> Optional[int]:
    """The sentence of ``b``'s quote where it goes on differently from the quote sentence ``a``
    belongs to, when ``a`` itself holds the last of the words they quote alike or its own
    different continuation (so the reader of ``a`` sees where they part); else None."""
    run_a, opened_a = quote_run(a, text_of, same_passage)
    run_b, opened_b = quote_run(b, text_of, same_passage)
    where = parted([text_of(r) for r in run_a], opened_a, [text_of(r) for r in run_b], opened_b)
    if where is None or a not in (run_a[where[0]], run_a[where[1]]):
        return None
    return run_b[where[2]]
