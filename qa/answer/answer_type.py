"""What kind of answer a question wants, and whether a sentence can supply it.

A retrieval score says a sentence is about the question; it cannot say the sentence
answers it. "How many people protested?" is not answered by a sentence without a
number in it, however similar. These are general English rules, not per-corpus ones.
"""
from __future__ import annotations

import re
from functools import lru_cache

_NUM_WORDS = (r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
              r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
              r"eighty|ninety|hundred|hundreds|thousand|thousands|million|millions|dozen|dozens|half|"
              r"several|handful|majority|minority|most|few|many")
_MONTHS = (r"january|february|march|april|may|june|july|august|september|october|november|december|"
           r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
_DAYS = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|tomorrow|tonight"

PATTERNS = {
    "number": re.compile(rf"\d|\b({_NUM_WORDS})\b", re.I),
    "money": re.compile(r"[£$€¥]\s?\d|\b\d[\d,.]*\s?(pounds|dollars|euros|bn|m|k|million|billion)\b|"
                        r"\b(cost|costs|paid|pay|salary|price|budget|fund(ed|ing|s)?|spent|worth|"
                        # words for an amount held: "we don't have any money", "reserves"
                        r"money|cash|reserves|finances|payroll|debts?|deficit|overdraft)\b", re.I),
    "date": re.compile(rf"\b(\d{{4}}|\d{{4}}s|\d0s|{_MONTHS}|{_DAYS}|\d{{1,2}}(:\d\d)?\s?(am|pm)|morning|afternoon|evening|"
                       rf"night|week|month|year|spring|summer|autumn|winter|noon|midnight|"
                       r"since|until|ago|last|next|earlier|later|recently)\b|"
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
                r"institutes?")
_TIME_NOUNS = r"time|date|day|year|month|decade|century|week|season"
_RULES = [
    (re.compile(r"^\W*(how\s+much\s+(money|did|does|do|was|is|will|would|has|had)|what\s+(did|does|was|is)\s+"
                r"\w*\s*(cost|salary|price)|what\s+(is|was|are|were)\b.*\b(cost|salary|salaries|price|budget|fee)\b|how\s+much\b.*\b(cost|pay|paid|spend|spent|earn|worth))", re.I), "money"),
    (re.compile(r"\bhow\s+long\b|\bfor\s+how\s+long\b|\bduration\b", re.I), "duration"),
    (re.compile(_WHICH + rf"(?:{_TIME_NOUNS})\b", re.I), "date"),
    (re.compile(_WHICH + rf"(?:{_NAMED_NOUNS})(?:[’']s)?(?![\w’'-])", re.I), "entity"),
    (re.compile(r"\bhow\s+(many|much|old|far|big|large|tall|high|deep|wide|heavy|fast)\b|"
                r"\bwhat\s+(number|percentage|share|proportion|margin|majority)\b|"
                r"\bby\s+what\s+margin\b|^(?!\W*(?:(?:and|but|so|then)\W+)?(?:when|where|who|whom|whose|why)\b).*"
                r"\b(vote|votes|tally|count|margin|figure)\b.*\?*$|^\W*what\s+was\s+the\s+vote",
                re.I), "number"),
    (re.compile(r"\bwhen\b|\bwhat\s+(time|date|day|year|month)\b|\bwhich\s+(day|year|month|date)\b", re.I), "date"),
    (re.compile(_LEAD + r"(who|whom|whose)\b(?!\s+(organi[sz]ed|funds?|ran|runs))", re.I), "person"),
    (re.compile(r"\bwhat\s+is\s+the\s+name\b|\bname\s+(of|the)\b", re.I), "entity"),
    (re.compile(_LEAD + r"where\b", re.I), "place"),
    (re.compile(_LEAD + r"why\b|\bwhat\s+(?:(?:was|were|is|are)\s+(?:the|its|their|his|her)\s+)?"
                r"(?:reasons?|grounds|justification|explanation|rationale|motive)\b|"
                r"\b(?:on|for)\s+what\s+(?:grounds|reasons?)\b", re.I), "reason"),
]


def question_type(question: str) -> str | None:
    """The answer type a question asks for, or None when it does not say."""
    for pattern, kind in _RULES:
        if pattern.search(question):
            return kind
    return None


_WORD = re.compile(r"[\w’'-]+")     # a word of a question, apostrophes and hyphens kept


def _strip_question_words(sentence: str, question: str) -> str:
    """Remove words the question already holds: a name the reader gave us is not news."""
    pattern = _question_words(question)
    return pattern.sub("·", sentence) if pattern is not None else sentence


@lru_cache(maxsize=256)
def _question_words(question: str) -> re.Pattern | None:
    """One pattern for every word of ``question``, matching a whole word of a sentence in
    any case. Every candidate sentence of a question is stripped with it: a Python check per
    word was a quarter of ask()'s time at 100,000 sentences (docs/benchmarks.md)."""
    words = set(_WORD.findall(question))
    if not words:
        return None
    forms = sorted({f for w in words for f in (w, w.casefold())}, key=len, reverse=True)
    return re.compile(r"(?<![\w’'-])(?:" + "|".join(map(re.escape, forms)) + r")(?![\w’'-])", re.IGNORECASE)


_FIRST_WORD = re.compile(r"^\W*([A-Za-z][\w’'-]*)")


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
    return bool(first) and _clean(first.group(1)).casefold() in names


_LITTLE_WORDS = ("of", "for", "the", "and", "in", "on", "against")
_LITTLE = "(?:" + "|".join(_LITTLE_WORDS) + ")"
# A name: capitalised words ("McAllister" too), little words allowed between them.
_NAME_RUN = re.compile(rf"\b[A-Z](?:[\w’'-]*[a-z][\w’'-]*|[A-Z]+\b)(?:\s+(?:{_LITTLE}\s+)*[A-Z][\w’'-]+)*")
_DEFINE = re.compile(r"^\W*(?:who|what)\s+(?:is|are|was|were)\s+(?:the\s+)?(?P<x>.+?)[\s?.!]*$", re.I)


def _fold(word: str) -> str:
    return word.replace("’", "'").casefold()


def _clean(name: str) -> str:
    return re.sub(r"(?:[’']s)?[’'\"”]*$", "", name)


def answer_entity(question: str, answer: str) -> str | None:
    """The name an earlier answer supplied: the first name in ``answer`` that the question
    did not already contain (a person for who-questions). Used to resolve "he"/"it" in the
    next question."""
    qwords = {_fold(w) for w in _WORD.findall(question)}
    runs = list(_NAME_RUN.finditer(answer))
    # "Which union …?" wants the name that is a union's ("the Transport Workers Union"),
    # not the first name in the sentence.
    which = re.search(r"\bwhich\s+([a-z]+)", question, re.I)
    if which:
        noun = which.group(1).casefold().rstrip("s")
        for m in runs:
            words = [w for w in m.group().split() if w.lower() != "the"]
            if len(words) > 1 and any(w.casefold().rstrip("s") == noun for w in words):
                return _clean(" ".join(words))   # not the bare noun ("a senator from the state")
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
            best = (gap, _clean(" ".join(words)))
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
    return bool(ws) and ws[0][0].isupper() and all(w[0].isupper() or w.casefold() in _PARTICLES for w in ws)


def referent(question: str, answer: str, names: frozenset[str] = frozenset()) -> str | None:
    """What "he", "it" or "they" in the next question stands for: what the earlier question
    asked about when it named it ("Who is Jane Doe?", "What did Unison say?"), else the name
    its answer supplied ("Which union condemned it?"). ``names``: as for ``names_something``."""
    m = _DEFINE.match(question)
    if m and is_name(m.group("x"), names):   # "Who is Jane Doe?" (not "Who is Acme's chair?")
        return _clean(m.group("x"))
    if question_type(question) not in ("person", "entity"):
        named = [n for n in _NAME_RUN.finditer(question) if n.start() > 0]
        if named:
            return _clean(named[0].group())
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


def names_something(question: str, names: frozenset[str] = frozenset()) -> bool:
    """Does the question name its own subject: a capitalised word after the first, or a
    word the articles only ever write capitalised (``names``, from ``Lexicon.names``), so
    that "who is jane doe" typed in lower case names Jane Doe?"""
    if _PROPER.search(question.strip()):
        return True
    return any(w.casefold() in names for w in _WORD.findall(question))


# "Who is Jane Doe?", "What is a kidney stone?": the question asks what its subject is.
_DEFINITION = re.compile(r"^\W*(?:(?P<who>who)|what)\s+(?:is|are|was|were)\s+(?:the\s+|an?\s+)?"
                         r"(?P<x>[\w’'-]+(?:\s+[\w’'-]+){0,4}?)\s*\??\s*$", re.I)
_DESCRIBED_AFTER = r"\s*(?:,|–|—|\(|\s-)\s*(?:the|an?|one|who|which)\b|\s+(?:is|are|was|were)\s+(?:the|an?|one)\b"


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


def describes(subject: str, sentence: str) -> bool:
    """Does ``sentence`` say what ``subject`` is: "X, the/a …", "X – the …", "X is a …", or a
    description right before the name ("party chair Jane Doe", "Acme’s backer Unison")?"""
    x = r"\s+".join(map(re.escape, subject.split()))
    if re.search(rf"\b{x}(?:[’']s)?{_DESCRIBED_AFTER}", sentence, re.I):
        return True
    if re.search(rf"[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)+\s*\({x}\)", sentence):
        return True                       # "the Federal Aviation Administration (FAA)"
    before = re.search(rf"(?:^|\s)([a-z][\w’'-]*|[A-Z]{{2,}}s?)\s+{x}\b", sentence)
    return bool(before) and before.group(1).casefold() not in _NOT_DESCRIPTORS


_NOT_DESCRIPTORS = frozenset("""a an the by of for to from with at in on and or but as that which who said says told
said: including include includes like about against between under over after before during into onto
than then when where while whose whom this these those its his her their our your my
""".split())
