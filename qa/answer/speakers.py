"""Who said it: the speaker a news sentence gives its words, read from the sentence or, for
a quote standing alone, from the sentences around it; and whether two outlets give one
quoted word to different speakers.

News prints a statement as an attributed sentence ("The union said …", "X and Y both
warned that …") or as quoted paragraphs whose speaker is named once, before them ("The
union said in a statement that …") or after them ("…,” the union added."). A quote-only
sentence is therefore read with the sentence before and after it (``Answer.context``).

Asked who said something the outlets quote ("Who called the plan 'reckless'?"), two
outlets that quote the asked word but name different speakers for it ("X and Y warned it
was 'reckless'" against "'… reckless …,' X said") attribute it differently. A speaker is
compared by its names (capitalised words not opening the sentence, "Y" in "Campaign
group Y") against the other side's speaker words, so "the union" told as "Unison the
union" is one speaker, and a name only one side gives is another.

Asked what a named speaker said ("What did <X> say about …?", ``asked_speaker``), a
sentence answers only if it gives X's words (``gives_words``): one that mentions X ("a
rally heard X speak", "a group formed under X said") does not.
"""
from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Optional

from qa.answer.speech import CAPITAL, SPEAKING, forms, named
from qa.ingest.textnorm import unpossessed
from qa.answer.tellings import content_words, quotes

_SPEECH = forms(SPEAKING)
# "<who> (had) (both) said/warned (that) …" opening the sentence, after a leading conjunction.
_LEADING = re.compile(r"^\W*(?:(?:but|and|however|meanwhile|yet|earlier|later),?\s+)?"
                      r"(?P<who>(?:[^,;:“”\"‘’()]|[’'](?=\w)|(?<=s)[’'](?=\s)){2,100}?)\s+"   # possessives kept
                      rf"(?:(?:has|have|had|also|both|previously|earlier)\s+)*{_SPEECH}\b", re.I)
# "…,” <who> said." / "…,” said <who>." closing the sentence, after the quote.
_TRAILING = re.compile(rf"[”\"’'](?!\w)\s*,?\s*(?:(?P<who>[^“”\"‘’]{{2,80}}?)\s+(?:has\s+|had\s+)?{_SPEECH}"
                       rf"|{_SPEECH}\s+(?P<who_after>[^“”\"‘’]{{2,80}}?))\s*[.!?]?\s*$", re.I)
# "Who …?" or "Which <noun> …?" asking who said, called or accused something.
_ASKS_WHO = re.compile(r"^\W*(?:(?:and|so|then)\s+)?(?:who|which\s+[\w-]+)\b", re.I)
_SPEECH_ASKED = re.compile(r"\b(?:say|said|call(?:ed)?(?!\s+for\b)|describ\w*|accus\w*|warn\w*|brand\w*|"
                           r"condemn\w*|criticis\w*|criticiz\w*|tweet\w*|wr[io]te|told|claim\w*|urg\w*)\b", re.I)


def speaker(text: str) -> Optional[str]:
    """The words naming who speaks in ``text``, at its start or after its closing quote;
    None when it names no speaker in either frame."""
    m = _TRAILING.search(text)
    if m and (re.search(r"[“\"‘]", text[:m.start()]) or _stands_alone(text)):   # a quote closes there
        return m.group("who") or m.group("who_after")
    m = _LEADING.match(text)
    if m and not re.search(r"[“”\"‘]", m.group("who")):
        return m.group("who")
    return None


# A short quote opening a sentence that goes on is a name or a term ("'Acme' was banned"),
# not a statement: (quoted words, the rest of the sentence).
_OPENING = re.compile(r"^\W*?[“‘\"']((?:[^”’\"']|[’'](?=\w))*)[”’\"'](?!\w)(.*)$", re.S)
MIN_STATEMENT_WORDS = 4   # fewer quoted words before the sentence goes on: a name, not a statement


def _stands_alone(text: str) -> bool:
    """A quote with no speaker of its own: it opens with a quote mark, or closes one it
    did not open (the quote began in an earlier sentence); a short quoted name opening a
    sentence that goes on does not count."""
    t = text.lstrip()
    if t[:1] in "“\"‘":
        m = _OPENING.match(t)
        return not (m and len(m.group(1).split()) < MIN_STATEMENT_WORDS and len(m.group(2).split()) >= 3)
    return bool(re.match(r"[^“\"]+”", t))


def speakers_of(text: str, before: Optional[str] = None, after: Optional[str] = None) -> list[str]:
    """Who speaks in ``text``: its own speaker, else (a quote standing alone) the speakers
    the sentences ``before`` and ``after`` it name (empty: none found)."""
    own = speaker(text)
    if not _stands_alone(text):
        return [own] if own is not None else []
    return [w for w in (own, speaker(after) if after and _stands_alone(after) else None,
                        speaker(before) if before else None) if w]


def names(who: list[str]) -> set[str]:
    """The names among speaker words: capitalised words not opening them, folded."""
    return set().union(*map(named, who))


def asks_speaker(question: str) -> bool:
    """Does the question ask who said, called or accused something?"""
    return bool(_ASKS_WHO.search(question)) and bool(_SPEECH_ASKED.search(question))


def quoted_asked(question: str, text: str) -> set[str]:
    """The question's content words that ``text`` puts inside quotes."""
    return content_words(question) & content_words(" ".join(w for q in quotes(text) for w in q))


def other_speakers(who_a: list[str], who_b: list[str]) -> bool:
    """Does one side name a speaker the other's speaker words do not hold?"""
    if not who_a or not who_b:
        return False
    words_a, words_b = (content_words(" ".join(w)) for w in (who_a, who_b))
    names_a, names_b = (content_words(" ".join(names(w))) for w in (who_a, who_b))
    return bool(names_a - words_b or names_b - words_a)


# "What did <who> say (about …)?", "What has <who> tweeted?": the words of a named speaker.
_WORDS_VERBS = ("say", "tell", "tweet", "write", "claim", "argue", "insist", "state", "warn",
                "declare", "respond", "reply", "complain")
_ASKS_WORDS = re.compile(r"^\W*(?:(?:and|so|then|but)\s+)?what\s+(?:did|does|do|has|have|had)\s+"
                         r"(?P<who>[^?]{2,80}?)\s+(?:(?:him|her|it|them)sel(?:f|ves)\s+)?"
                         rf"(?:{'|'.join(_WORDS_VERBS)}|{forms(_WORDS_VERBS)}|written)\b", re.I)
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "sir", "dame", "lord", "lady", "prof", "professor"})
# Prepositions after which a name is not who speaks ("a group formed under <X> said").
_OBJECT_OF = frozenset({"under", "of", "against", "with", "about", "over", "than", "like", "toward",
                        "towards", "into", "on", "at", "in", "behind", "after", "before", "during", "without"})
# Capitalised words that open a sentence before a name without being part of it.
_OPENERS = frozenset({"and", "but", "so", "then", "now", "also", "yet", "however", "meanwhile", "today",
                      "yesterday", "earlier", "later", "asked", "speaking", "writing"})
_PRONOUNS = re.compile(r"\b(?:he|she|it|they|him|her|them|his|its|their)\b", re.I)
_QUOTE_OPENS = re.compile(r"(?:^|(?<=[\s(:]))[“\"‘']")
# Words that report speech, beyond the verbs of SPEAKING: other reporting verbs in any
# form ("has stressed", "pointed out", "suggest"), "in a statement", "according to".
_SPEECH_MARK = re.compile(rf"\b(?:{_SPEECH}|saying|stating|telling|tweeting|writing|written|adding|warning|"
                          r"claiming|arguing|insisting|declaring|speaking|spoke|statement|according\s+to|"
                          r"point(?:s|ed|ing)?\s+out|(?:stress|note|explain|suggest|blame|recall|admit|announc|"
                          r"acknowledg|conced|confirm|deni|deny|reveal|predict|propos|conclud|report|mention|"
                          r"emphasi[sz]|observ|remark|comment|contend|assert|alleg|maintain|believ)\w*)\b|"
                          r":\s*[“\"‘]", re.I)
_OPENS_WITH_PRONOUN = re.compile(rf"^\W*(?:he|she|it|they)\s+(?:\w+\s+){{0,2}}?{_SPEECH}\b", re.I)


def asked_speaker(question: str) -> Optional[tuple[str, frozenset[str]]]:
    """A question asking what a named speaker said ("What did <X> say about …?"): the last
    capitalised word of its name (the surname or the organisation's head word) and all its
    name words, folded. None when it asks no such thing, or names the speaker by a pronoun,
    in lower case or by an acronym (the acronym's expansion is another spelling)."""
    m = _ASKS_WORDS.search(question)
    if m is None or _PRONOUNS.search(m.group("who")):
        return None
    # "<A> of <B>" names A: "the Bank of <country>" is "the Bank" when it speaks.
    words = [unpossessed(w) for w in CAPITAL.findall(" " + re.split(r"\s+(?:of|for)\s+", m.group("who"))[0])]
    words = [w for w in words if w.casefold() not in _TITLES]
    if not words or words[-1].isupper():
        return None
    return words[-1], frozenset(w.casefold() for w in words)


def _names_them(asked: tuple[str, frozenset[str]], text: str, subject: bool = False) -> bool:
    """Does ``text`` name the asked speaker: its head word, not as another person's name
    ("Jane Doe" asked, "Jim Doe" named: the capitalised word before the head is no word
    of the asked name; asked only "Doe", any "<first name> Doe" will do)? With ``subject``,
    not after a preposition that makes it the object ("the group formed under <X> said"
    names another speaker)."""
    head, words = asked
    for m in re.finditer(rf"\b{re.escape(head)}\b", text, re.I):      # "Mcdonnell" read from lower case
        before = re.search(r"([\w’'-]+)\W*$", text[:m.start()])
        prev = before.group(1) if before else ""
        if len(words) > 1 and len(prev) > 1 and prev[:1].isupper() and not _one_of(prev, words):
            continue
        if not (subject and _word_before_name(text[:m.start()], words) in _OBJECT_OF):
            return True
    return False


def _word_before_name(text: str, words: frozenset[str]) -> str:
    """The last word of ``text`` that is not a word of the asked name or a title, folded:
    what stands before "Jane Doe" when "Doe" is found ("supporters of Jane Doe": "of")."""
    skip = words | _TITLES
    for w in reversed(re.findall(r"[\w’'-]+", text)):
        if w.casefold() not in skip:
            return w.casefold()
    return ""


def _one_of(word: str, words: frozenset[str]) -> bool:
    """Is ``word`` one of the asked name's words, a title or a sentence opener, allowing a
    typo in the question ("Jnae Smith" asked, "Jane Smith" named)?"""
    w = word.casefold()
    return w in words | _TITLES | _OPENERS or any(SequenceMatcher(None, w, x).ratio() >= 0.75 for x in words)


def gives_words(asked: tuple[str, frozenset[str]], text: str, before: Optional[str] = None,
                after: Optional[str] = None) -> bool:
    """Does ``text`` report what the asked speaker (``asked_speaker``) said: it names them
    before any quote and reports speech ("<X>, a councillor, said: …", "According to <X>,
    …"), names them as the speaker of its quote ("…,” <X> added."), or opens with a pronoun
    or a quote whose speaker the sentence ``before`` it names?"""
    opens = _QUOTE_OPENS.search(text)
    lead = text[:opens.start()] if opens else text
    if _names_them(asked, lead, subject=True) and _SPEECH_MARK.search(text):
        return True
    if any(_names_them(asked, w, subject=True) for w in speakers_of(text, before, after)):
        return True
    return bool(before) and bool(_OPENS_WITH_PRONOUN.match(text)) and _names_them(asked, before)
