"""Property and fuzz tests (hypothesis): the splitter, the cleaner, the tokenizer, BM25
against rank-bm25, and ask() on arbitrary strings."""
from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given, settings, strategies as st

from qa.index.bm25 import BM25Index
from qa.ingest.clean import body_spans
from qa.answer.engine import MAX_QUESTION_CHARS, QuestionError, clean_question
from qa.ingest.split import sentences
from qa.ingest.textnorm import Tokenizer, _DASHES, fold

# Text that exercises the rules: sentence ends, quotes, brackets, abbreviations, capitals,
# digits, other scripts, odd whitespace; plus any Unicode character at all.
_PIECES = st.sampled_from([
    ".", "!", "?", "…", "...", "؟", "\"", "'", "”", "’", "“", "(", ")", "[", "]", "«", "»",
    " ", "  ", "\n", "\r\n", "\r", "\t", "\u00a0", "\u2028", "\u3000", "\x0b", "\x1c",
    "Mr.", "Dr. ", "e.g.", "U.S.", "J.", "p.m.", " A", " The", " he", "7", "1.5", "É", "ß",
    "Совет", "מועצה", "مجلس", "中文。", "word", "Word", " x ", "-", "—", "\u0301", "\ufeff",
])
TEXT = st.lists(st.one_of(_PIECES, st.text(max_size=6)), max_size=60).map("".join)
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------ splitter
@FAST
@given(TEXT, st.data())
@example("Mr. Smith met Dr. J. Bloggs. He left!  “Why?” she asked. (Yes.) 3 p.m. It rained…  ", None)
def test_sentence_spans_are_verbatim_ordered_trimmed_and_cover_the_paragraph(text, data):
    if data is None:
        start, end = 0, len(text)
    else:
        start = data.draw(st.integers(0, len(text)))
        end = data.draw(st.integers(start, len(text)))
    spans = sentences(text, start, end)
    prev_end = start
    covered = set()
    for s, e in spans:
        assert prev_end <= s < e <= end                      # ordered, non-overlapping, in bounds
        piece = text[s:e]
        assert piece == piece.strip() and piece.strip()      # trimmed, never blank
        covered.update(range(s, e))
        prev_end = e
    for i in range(start, end):
        if not text[i].isspace():
            assert i in covered, (i, text[i])                # no word is ever lost


# ------------------------------------------------------------------ cleaner
def stripped_lines(text: str) -> set[tuple[int, int]]:
    """Independent of qa.ingest.clean.lines: each maximal run without \\r or \\n, stripped."""
    out = set()
    for m in re.finditer(r"[^\r\n]+", text):
        seg = m.group()
        lead = len(seg) - len(seg.lstrip())
        stripped = seg.strip()
        if stripped:
            out.add((m.start() + lead, m.start() + lead + len(stripped)))
    return out


NEWSY = st.lists(st.one_of(
    _PIECES, st.text(max_size=8),
    st.sampled_from(["\nBy Jane Smith\n", "\nShare this article\n", "\nMore from News\n", "\nPhoto: AP\n",
                     "\nDonate to support our independent journalism: £5 monthly\n", "\n12 March 2021\n",
                     "\nComments are closed.\n", "\nRelated\n", "\nThe council met today.\n"])),
    max_size=40).map("".join)


@FAST
@given(NEWSY, st.booleans())
def test_cleaner_spans_are_stripped_lines_of_the_input(text, skip_first):
    spans, title = body_spans(text, skip_first=skip_first)
    lines = stripped_lines(text)
    prev = 0
    for s, e in spans:
        assert 0 <= prev <= s < e <= len(text)
        assert (s, e) in lines
        prev = e
    if title is not None:
        assert skip_first and title in lines and title not in spans
        assert all(title[1] <= s for s, _ in spans)          # the title is the first line


# ------------------------------------------------------------------ tokenizer
TOK = Tokenizer()


@FAST
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=())))   # surrogates too
def test_fold_is_idempotent_and_the_tokenizer_never_raises(text):
    assert fold(fold(text)) == fold(text)
    TOK(text)
    TOK.words(text)


@FAST
@given(st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8), min_size=1, max_size=5),
       st.sampled_from(list(_DASHES) + ["-"]), st.data())
def test_case_quote_and_dash_variants_give_equal_tokens(words, dash, data):
    base = " ".join(words)
    cased = "".join(c.upper() if data.draw(st.booleans()) else c for c in base)
    assert TOK(cased) == TOK(base)
    assert TOK(f"{dash.join(words)}") == TOK("".join(words))
    quoted = f"{words[0]}'s “{words[-1]}”"
    assert TOK(quoted.replace("'", "\u2019")) == TOK(quoted.replace("“", '"').replace("”", '"'))


def test_the_spelling_variants_named_in_the_brief():
    assert TOK("anti-Semitism") == TOK("antisemitism") == TOK("Anti\u2011semitism") == TOK("ANTI–SEMITISM")
    assert fold("“Quoted” ‘text’") == fold('"quoted" \'text\'')


# ------------------------------------------------------------------ BM25 vs rank-bm25
VOCAB = st.sampled_from([f"t{i}" for i in range(12)])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(VOCAB, min_size=0, max_size=12), min_size=1, max_size=15),
       st.lists(st.one_of(VOCAB, st.just("unseen")), max_size=6))
def test_bm25_scores_equal_rank_bm25(corpus, query):
    from rank_bm25 import BM25Okapi

    assume(any(corpus))                  # rank-bm25 divides by the mean document length
    ours = BM25Index.build(corpus).get_scores(query)
    theirs = BM25Okapi(corpus).get_scores(query)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(VOCAB, min_size=1, max_size=8), min_size=1, max_size=8),
       st.lists(st.lists(VOCAB, min_size=1, max_size=8), min_size=1, max_size=8), st.lists(VOCAB, max_size=5))
def test_bm25_add_equals_rebuild(old, new, query):
    np.testing.assert_allclose(BM25Index.build(old).add(new).get_scores(query),
                               BM25Index.build(old + new).get_scores(query), rtol=0, atol=1e-9)


# ------------------------------------------------------------------ ask()
QUESTIONS = st.one_of(
    st.text(max_size=120),
    st.lists(st.sampled_from(["What", "who", "NEC", "ban", "banned", "groups", "Labour", "Party", "when",
                              "meeting", "?", "<b>", "&amp;", "'", "“", "\x00", " ", "\u202e", "ب", "于"]),
             max_size=12).map(" ".join),
    st.sampled_from(["", " ", "x" * (MAX_QUESTION_CHARS + 1)]),
)


def _check_result(assistant, res) -> None:
    articles = {a.doc_id: a for a in assistant.built.articles}
    assert res.abstained == (not res.answers)
    for ans in res.answers:
        assert ans.citations and 0.0 <= ans.score <= 1.0
        for c in ans.citations:
            assert articles[c.doc_id].text[c.start:c.end] == ans.text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=QUESTIONS, history=st.lists(QUESTIONS, max_size=2), k=st.integers(1, 25))
def test_ask_never_raises_and_always_quotes_verbatim(assistant, question, history, k):
    try:
        cleaned = clean_question(question)
    except QuestionError:
        with pytest.raises(QuestionError):
            assistant.ask(question, history=history, k=k)
        return
    assert cleaned and len(cleaned) <= MAX_QUESTION_CHARS
    res = assistant.ask(question, history=history, k=k)
    assert len(res.answers) <= min(k, 20)
    _check_result(assistant, res)


# ------------------------------------------------------------------ the HTTP API against its own OpenAPI
@pytest.fixture(scope="module")
def api_app(assistant, tmp_path_factory):
    from qa.serve.server import Settings, create_app

    # Rate limit off: the fuzzer sends hundreds of requests from one client.
    return create_app(assistant, Settings(rate_limit_per_minute=0, data_dir=tmp_path_factory.mktemp("api")))


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_api_conforms_to_its_openapi_and_never_answers_5xx(api_app, mode):
    """schemathesis: schema-valid and schema-invalid requests, every response checked
    (no 5xx, documented status, content type, headers and body schema). A schema-valid
    request may still be refused with a documented 422 (an all-blank question, say), so
    the positive-data-acceptance check is left out."""
    import schemathesis
    from schemathesis.generation.modes import GenerationMode
    from schemathesis.specs.openapi.checks import positive_data_acceptance

    schema = schemathesis.openapi.from_asgi("/openapi.json", api_app)
    ops = [r.ok() for r in schema.get_all_operations()]
    assert {op.label for op in ops} >= {"POST /api/ask", "GET /api/health"}
    for op in ops:
        if mode == "negative" and op.method.upper() == "GET":
            continue               # no parameters: nothing can be made invalid

        @settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=op.as_strategy(generation_mode=GenerationMode(mode)))
        def run(case):
            response = case.call()
            case.validate_response(response, excluded_checks=[positive_data_acceptance])

        run()


@pytest.mark.slow
@pytest.mark.parametrize("body", [
    b'{"question": "What did the NEC ban?", "k": 2}',
    b'{"question": "What did the NEC \\u0000 ban?\\u202e"}',
    b'{"question": "\\ud83d\\ude00 NEC"}',                             # a surrogate pair: fine
    b'{"question": "NEC", "filters": {"sources": [], "doc_ids": []}}',
    b'{"question": "What did the NEC \\ud800 ban?"}',
    b'{"question": "And why?", "history": ["\\udc80"]}',
    b'\xff\xfe{"question": "NEC"}',                                  # not UTF-8 at all
    b'{"question": "NEC", "k": 1e400}',
    b'[' * 5000 + b']' * 5000,                                        # deep nesting
])
def test_api_hostile_bodies_get_a_documented_answer(api_app, body):
    """Bodies no schema-driven generator produces: never a 5xx, and errors are {"error": ...}."""
    from fastapi.testclient import TestClient

    with TestClient(api_app, raise_server_exceptions=False) as client:
        r = client.post("/api/ask", content=body, headers={"content-type": "application/json"})
    ok = r.status_code < 500 and (r.status_code == 200 or set(r.json()) == {"error"})
    assert ok, (r.status_code, r.text[:200])
