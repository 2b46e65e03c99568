"""What kind of answer a question wants, and whether a sentence can supply it.

A retrieval score says a sentence is about the question; it cannot say the sentence
answers it. "How many people protested?" is not answered by a sentence without a
number in it, however similar. These are general English rules, not per-corpus ones.
"""
from __future__ import annotations

import re
from functools import lru_cache

from qa.answer.when import MONTHS, WEEKDAYS

_NUM_WORDS = (r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
              r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
              r"eighty|ninety|hundred|hundreds|thousand|thousands|million|millions|dozen|dozens|half|"
              r"several|handful|majority|minority|most|few|many")
_MONTHS = "|".join(MONTHS) + "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
_DAYS = "|".join(WEEKDAYS) + "|yesterday|today|tomorrow|tonight"

PATTERNS = {
    "number": re.compile(rf"\d|\b({_NUM_WORDS})\b", re.I),
    "money": re.compile(r"[£$€¥]\s?\d|\b\d[\d,.]*\s?(pounds|dollars|euros|bn|m|k|million|billion)\b|"
                        r"\b(cost|costs|paid|pay|salary|price|budget|fund(ed|ing|s)?|spent|worth|"
                        # words for an amount held: "the club has no cash left", "its reserves"
                        r"money|cash|reserves|finances|payroll|debts?|deficit|overdraft)\b", re.I),
    "date": re.compile(rf"\b(\d{{4}}|\d{{4}}s|\d0s|{_MONTHS}|(?:{_DAYS})s?|\d{{1,2}}(:\d\d)?\s?(am|pm)|morning|afternoon|evening|"
                       rf"night|week|month|year|decade|century|centuries|spring|summer|autumn|winter|noon|midnight|"
                       r"since|until|ago|earlier|later|recently)\b|"
                       # "last" or "next" of a time ("next week", "last May"), not "the next meeting"
                       rf"\b(last|next)\s+(day|week|weekend|month|year|decade|century|season|time|{_DAYS}|{_MONTHS})\b|"
                       # a time told by another event: "two days after", "within weeks", "soon after"
                       rf"\b(\d+|{_NUM_WORDS}|an?|the|few)[\s-]+(hours?|days?|weeks?|months?|years?|decades?)\s+"
                       r"(after|before|into|on)\b|\bwithin\s+(\w+\s+)?(hours|days|weeks|months|years)\b|"
                       r"\b(shortly|soon|immediately|just)\s+(after|before)\b", re.I),
    # A length of time, not a clock time: "from 10am to 7pm" answers "How long?" only
    # indirectly, and a sentence saying "nine hours" should come first.
    "duration": re.compile(rf"\b(\d+|{_NUM_WORDS}|an?)[\s-]+(hours?|minutes?|days?|weeks?|months?|years?)\b|"
                           r"\b(hours?|minutes?|days?|weeks?|months?|years?)\b", re.I),
    # Two capitalised words in a row (a name), or a capitalised word mid-sentence.
    "entity": re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][\w’'-]+(\s+(of\s+the\s+|of\s+|the\s+)?[A-Z][\w’'-]+)*"),
    "reason": re.compile(r"\b(because|after|over|for|since|due to|so that|as a result|accused|claim(ed|s)?|"
                         r"argued|judged|breach(ed|es)?|deemed|intend(ed|s)?|on the (basis|grounds)|"
                         r"in order to|led to|reasons?)\b", re.I),
    # A place: a name after a preposition of place ("in Leeds", "outside the Acme HQ"), or a
    # word for a kind of place, or for where something was said or written (an outlet, an
    # occasion: "Where did she write that?" - "Writing for the Acme website, …").
    "place": re.compile(r"(?i:\b(?:in|at|for|outside|inside|near|from|into|across|around|throughout|within|on|"
                        r"to|towards|between|via|off|opposite|beside|behind)\s+(?:the\s+)?)[A-Z][\w’'-]+|"
                        r"(?i:\b(?:headquarters|hq|offices?|streets?|roads?|avenue|square|city|cities|towns?|villages?|"
                        r"countr(?:y|ies)|province|regions?|county|district|buildings?|hall|parliament|stadium|"
                        r"church|hospital|airport|station|port|river|island|coast|border|capital|abroad|"
                        r"overseas|nationwide|north|south|east|west|northern|southern|eastern|western|"
                        r"venue|site|area|camp|base|court|websites?|newspapers?|column|article|interview|"
                        r"statement|blog|podcast|programme|broadcast|radio|television|tv|twitter|facebook|"
                        r"speech|rally|conference)\b)"),
}

# "last year", "next week", "every month": a point in time or a frequency, not a length of
# time, so they do not answer "How long?".
_NOT_A_LENGTH = re.compile(r"\b(last|next|this|that|every|each|per|same)\s+(hours?|minutes?|days?|weeks?|"
                           r"months?|years?)\b", re.I)



_LEAD = r"^\W*((and|but|so|then|also|ok|okay)\W+)?"
# "Which/What (of the) (up to two other words) <noun>": the noun says what is asked, whatever
# words stand between ("which four groups", "which Tory MP", "which of the banned groups").
# Not such a word: a verb ("What did members say?") or a measure ("what share of members").
_NOT_BETWEEN = (r"(?:is|was|are|were|did|does|do|has|have|had|will|would|could|can|should|may|might|"
                r"must|kind|sort|type|number|percentage|share|proportion|amount|margin|majority)\b")
_WHICH = rf"\b(?:which|what)\s+(?:of\s+the\s+)?(?:(?!{_NOT_BETWEEN})[\w’'-]+\s+){{0,2}}?"
# Nouns for things that bear names: a "which" question about one wants a name.
_NAMED_NOUNS = (r"unions?|groups?|organi[sz]ations?|bod(?:y|ies)|part(?:y|ies)|persons?|people|members?|"
                r"campaigns?|watchdogs?|leaders?|newspapers?|papers?|outlets?|websites?|sites?|"
                r"publications?|broadcasters?|channels?|mps?|ministers?|politicians?|journalists?|"
                r"reporters?|editors?|countr(?:y|ies)|cit(?:y|ies)|towns?|courts?|compan(?:y|ies)|firms?|"
                r"committees?|councils?|factions?|movements?|teams?|clubs?|charit(?:y|ies)|agenc(?:y|ies)|"
                r"officials?|spokes(?:person|man|woman)|chairs?|chairm[ae]n|presidents?|senators?|"
                r"universit(?:y|ies)|schools?|states?|nations?|authors?|writers?|players?|networks?|"
                r"outfits?|alliances?|associations?|coalitions?|societ(?:y|ies)|foundations?|trusts?|"
                r"institutes?|relatives?|brothers?|sisters?|sons?|daughters?|wife|wives|husbands?|"
                r"fathers?|mothers?|parents?|cousins?|uncles?|aunts?|nephews?|nieces?")
# Nouns for a time: "Which year …?" asks a date, and they are no part of what was done.
TIME_NOUNS = r"time|date|day|year|month|decade|century|week|season"
# A question naming a vote asks its figures when it asks what the vote (tally, margin, count)
# was (this pattern; qa.answer.retrieve reads it as asking a count), how close it was, or
# how someone voted ("How did members vote?": news answers with the tally).
# Merely naming one ("What did X say after the vote?", "What sort of majorities did the votes
# have?") asks no number: read as one, a sentence answering it in words ("two-to-one
# majorities") lacked the figure asked for and was withheld.
ASKS_TALLY = (_LEAD + r"what(?:[’']?s|\s+(?:was|were|is|are))\s+the\s+(?:final\s+|overall\s+)?"
              r"(?:vote|votes|tally|margin|count|figures?)\b|"
              r"\b(?:vote|votes|voting)\s+(?:tally|count|figures|margin|split)\b|\bresults?\s+of\s+the\s+(?:vote|ballot)\b")
_RULES = [
    (re.compile(r"^\W*(how\s+much\s+(money|did|does|do|was|is|will|would|has|had)|what\s+(did|does|was|is)\s+"
                r"\w*\s*(cost|salary|price)|what\s+(is|was|are|were)\b.*\b(cost|salary|salaries|price|budget|fee)\b|how\s+much\b.*\b(cost|pay|paid|spend|spent|earn|worth))", re.I), "money"),
    (re.compile(r"\bhow\s+long\b|\bfor\s+how\s+long\b|\bduration\b", re.I), "duration"),
    (re.compile(_WHICH + rf"(?:{TIME_NOUNS})\b", re.I), "date"),
    (re.compile(_WHICH + rf"(?:{_NAMED_NOUNS})(?:[’']s)?(?![\w’'-])", re.I), "entity"),
    (re.compile(r"\bhow\s+(many|much|old|far|big|large|tall|high|deep|wide|heavy|fast)\b|"
                r"\bwhat\s+(number|percentage|share|proportion|margin|majority|figures?)\b|"
                r"\bby\s+what\s+margin\b|" + ASKS_TALLY + "|"
                r"\bhow\s+(?:close|narrow|tight)\b(?=.*\b(?:vote|votes|ballot|margin|result|race|contest)\b)|"
                r"^\W*(?:(?:and|but|so|then)\W+)?how\s+(?:did|has|have)\b[^?]*\bvoted?\b",
                re.I), "number"),
    # "when" asks a time unless another question word asks, and the "when" joins a clause:
    # "What happens when X?", "Who led them when Y fell?", "When X fell, who led them?"
    # (SQuAD-even: 21 right first answers were taken for missing a date they were never
    # asked for; session 15).
    (re.compile(_LEAD + r"(?!(?:what|which|who|whom|whose|where|why|how)\b)(?![^?]*\bwhen\b[^?]*,\s*"
                r"(?:what|which|who|whom|whose|where|why|how)\b).*\bwhen\b|"
                r"\bwhat\s+(time|date|day|year|month)\b|\bwhich\s+(day|year|month|date)\b", re.I), "date"),
    (re.compile(_LEAD + r"(who|whom|whose)\b(?!\s+(organi[sz]ed|funds?|ran|runs))", re.I), "person"),
    (re.compile(r"\bwhat\s+is\s+the\s+name\b|\bname\s+(of|the)\b", re.I), "entity"),
    (re.compile(_LEAD + r"where\b", re.I), "place"),
    (re.compile(_LEAD + r"why\b|\bwhat\s+(?:(?:was|were|is|are)\s+(?:the|its|their|his|her)\s+)?"
                r"(?:reasons?|grounds|justification|explanation|rationale|motive)\b|"
                r"\b(?:on|for)\s+what\s+(?:grounds|reasons?)\b", re.I), "reason"),
]


# "Did / Was / Is … ?" asks whether, or which of two, not for a value: "Did the vote pass by
# a big margin?" is answered by "… with overwhelming support", which holds no tally.
_WHETHER = re.compile(_LEAD + r"(?:did|does|do|is|are|was|were|has|have|had|can|could|will|would|should|"
                      r"shall|may|might|must)\b", re.I)


def question_type(question: str) -> str | None:
    """The answer type a question asks for, or None when it does not say (or asks whether)."""
    if _WHETHER.match(question):
        return None
    for pattern, kind in _RULES:
        if pattern.search(question):
            return kind
    return None


WORD = re.compile(r"[\w’'-]+")     # a word of a question, apostrophes and hyphens kept


def _strip_question_words(sentence: str, question: str) -> str:
    """Remove words the question already holds: a name the reader gave us is not news."""
    pattern = _question_words(question)
    return pattern.sub("·", sentence) if pattern is not None else sentence


@lru_cache(maxsize=256)
def _question_words(question: str) -> re.Pattern | None:
    """One pattern for every word of ``question``, matching a whole word of a sentence in
    any case. Every candidate sentence of a question is stripped with it: a Python check per
    word was a quarter of ask()'s time at 100,000 sentences (docs/benchmarks.md)."""
    words = set(WORD.findall(question))
    if not words:
        return None
    forms = sorted({f for w in words for f in (w, w.casefold())}, key=len, reverse=True)
    return re.compile(r"(?<![\w’'-])(?:" + "|".join(map(re.escape, forms)) + r")(?![\w’'-])", re.IGNORECASE)


_FIRST_WORD = re.compile(r"^\W*([A-Za-z][\w’'-]*)")


def unpossessed_name(name: str) -> str:
    """``name`` without a possessive ending or closing quote marks ("Acme’s" -> "Acme")."""
    return re.sub(r"(?:[’']s)?[’'\"”]*$", "", name)


def matches(kind: str | None, sentence: str, question: str, names: frozenset[str] = frozenset()) -> bool:
    """Can ``sentence`` supply an answer of ``kind``? True when the kind is unknown.
    ``names``: words the articles write as names (``Lexicon.names``), by which a sentence's
    first word, capitalised anyway, is known for a name ("Acme said …")."""
    if kind is None:
        return True
    rest = _strip_question_words(sentence, question) if kind in ("entity", "person", "number", "date", "place") \
        else sentence
    if kind == "duration":
        rest = _NOT_A_LENGTH.sub(" ", rest)
    # News answers "who" with people and organisations alike ("Who criticised the plan?" -
    # "the union"), so a who-question wants any name the question does not already hold.
    pattern = PATTERNS["entity" if kind == "person" else kind]
    if pattern.search(rest):
        return True
    first = _FIRST_WORD.match(rest) if kind in ("entity", "person") and names else None
    return bool(first) and unpossessed_name(first.group(1)).casefold() in names
