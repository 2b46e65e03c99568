"""`qa index --add` extends an index without re-encoding what it holds, and the result
is the index a full rebuild over the old and new articles would give."""
from __future__ import annotations

import numpy as np
import pytest

from conftest import write_corpus
from qa.index import store
from qa.answer.engine import Assistant
from qa.index.indexing import VectorLookup, build_index

pytestmark = pytest.mark.slow   # real model

HARBOUR = """Harbour council approves new ferry timetable

The Harbour Council voted on Tuesday to approve a new ferry timetable for the island routes. Services will run every twenty minutes at peak times from the first of March.

Councillor Mara Lint said the change followed a survey of eight hundred passengers. She added that the older vessels would be retired by the end of the year.

The ferry operator warned that fares could rise by four percent to pay for two new electric boats. Local traders welcomed the extra evening sailings."""

LIBRARY = """City library reopens after flood repairs

The central library reopened on Saturday after eleven months of repairs following the winter flood. Water had damaged the ground floor and destroyed about nine thousand books.

The head librarian, Oskar Venn, said the reading room now sits on the first floor, above the flood line. The restoration cost two million pounds, most of it paid by insurance.

Volunteers helped dry and catalogue rare maps from the local history collection. The children's section will open again in April."""

ORCHARD = """Orchard growers report record apple harvest

Growers in the valley picked a record apple harvest this autumn, according to the regional growers' association. Warm spring weather and late rain produced unusually large fruit.

The association's chair, Petra Quill, said prices had fallen because supermarkets were already full of imported apples. Some growers plan to press the surplus into cider.

The ferry operator warned that fares could rise by four percent to pay for two new electric boats. Pickers from abroad were again in short supply this season."""

HARBOUR_LATER = """Harbour council delays ferry fare rise

The Harbour Council delayed a planned rise in ferry fares after protests from island residents. Councillor Mara Lint said the increase would be reviewed in June.

The operator said the two new electric boats would still arrive in the summer. Residents' groups collected three thousand signatures against the rise."""

QUESTIONS = ["When will the new ferry timetable start?", "How much did the library restoration cost?",
             "Why did apple prices fall?", "Who chairs the growers' association?",
             "When will the fare increase be reviewed?", "How many books did the flood destroy?"]


class CountingEncoder:
    """The session's encoder, counting the texts it is asked to encode."""

    def __init__(self, inner):
        self.inner, self.name, self.encoded = inner, inner.name, []

    def warm_up(self):
        return self

    @property
    def dim(self):
        return self.inner.dim

    def encode(self, texts, progress=False):
        self.encoded.extend(texts)
        return self.inner.encode(texts)

    def encode_query(self, text):
        return self.inner.encode_query(text)


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    root = tmp_path_factory.mktemp("incremental")
    a = write_corpus(root / "a", {"harbour.txt": HARBOUR, "library.txt": LIBRARY},
                     {"harbour.txt": {"source": "Island Post", "date": "2024-02-01"}})
    # b/harbour.txt shares a file name (doc id) with a/harbour.txt; orchard.txt repeats a
    # sentence of harbour.txt verbatim.
    b = write_corpus(root / "b", {"orchard.txt": ORCHARD, "harbour.txt": HARBOUR_LATER})
    return root, a, b


@pytest.fixture(scope="module")
def indexes(corpora, encoder):
    root, a, b = corpora
    counting = CountingEncoder(encoder)
    build_index([str(a)], root / "inc", model=counting, progress=False)
    before = list(counting.encoded)
    counting.encoded.clear()
    build_index([str(b)], root / "inc", model=counting, add=True, progress=False)
    added = list(counting.encoded)
    build_index([str(a), str(b)], root / "full", model=encoder, progress=False)
    inc, _ = store.load(root / "inc")
    full, _ = store.load(root / "full")
    return inc, full, before, added, root


def test_same_articles_and_tables(indexes):
    inc, full, *_ = indexes
    assert [a.doc_id for a in inc.articles] == [a.doc_id for a in full.articles]
    assert "harbour~1" in [a.doc_id for a in inc.articles]          # ids deduplicated as a full load does
    assert inc.articles == full.articles
    for name in ("p_doc", "p_start", "p_end", "s_doc", "s_pass", "s_start", "s_end"):
        assert np.array_equal(getattr(inc.tables, name), getattr(full.tables, name)), name
    assert inc.tables.sent_ids == full.tables.sent_ids
    assert inc.tables.passage_ids == full.tables.passage_ids


def test_same_lexicon(indexes):
    # names and initials counted per article, merged on add: as counting all at once
    inc, full, *_ = indexes
    assert inc.lexicon is not None and inc.lexicon.to_dict() == full.lexicon.to_dict()
    assert inc.lexicon.names() and inc.lexicon.names() == full.lexicon.names()


def test_same_bm25_statistics_and_scores(indexes):
    inc, full, *_ = indexes
    for x, y in ((inc.bm25_sent, full.bm25_sent), (inc.bm25_pass, full.bm25_pass)):
        assert x.vocab == y.vocab and x.n_docs == y.n_docs
        assert (x.counts != y.counts).nnz == 0
        assert np.max(np.abs(x.idf - y.idf)) <= 1e-12
        for q in QUESTIONS:
            toks = inc.tokenizer(q)
            assert np.max(np.abs(x.get_scores(toks) - y.get_scores(toks))) <= 1e-9


def test_same_vectors_and_only_new_sentences_encoded(indexes):
    inc, full, before, added, _ = indexes
    assert inc.dense.params == full.dense.params
    # A batch pads to its longest text, so re-encoding in another batch may move the
    # last float bits; the vectors are the same to far below any ranking difference.
    assert np.max(np.abs(np.asarray(inc.dense.vectors) - np.asarray(full.dense.vectors))) < 1e-5
    assert np.max(np.abs(np.asarray(inc.p_vecs) - np.asarray(full.p_vecs))) < 1e-5
    old_texts = set(before)
    assert added and not (set(added) & old_texts)                  # nothing the index held
    assert "The ferry operator warned that fares could rise by four percent to pay for two new " \
           "electric boats." not in added                          # a repeated sentence reuses its vector
    assert len(inc.tables.sent_ids) > len(before) + len(added)


def test_same_answers(indexes, encoder):
    inc, full, *_ , root = indexes
    a, b = Assistant(root / "inc"), Assistant(root / "full")
    a.encoder = b.encoder = encoder
    for q in QUESTIONS:
        ra, rb = a.ask(q, k=3).to_dict(), b.ask(q, k=3).to_dict()
        assert ra["abstained"] == rb["abstained"]
        assert [x["text"] for x in ra["answers"]] == [x["text"] for x in rb["answers"]]
        assert [x["citations"] for x in ra["answers"]] == [x["citations"] for x in rb["answers"]]
        assert np.allclose([x["score"] for x in ra["answers"]], [x["score"] for x in rb["answers"]], atol=1e-4)


def test_adding_known_articles_changes_nothing(corpora, indexes, encoder):
    root, a, _ = corpora
    inc, *_ = indexes
    counting = CountingEncoder(encoder)
    summary = build_index([str(a)], root / "inc", model=counting, add=True, progress=False)
    assert counting.encoded == []
    assert summary["sentences"] == len(inc.tables.sent_ids) and summary["articles"] == len(inc.articles)


def test_add_to_missing_index_builds_it(corpora, encoder, tmp_path):
    _, a, _ = corpora
    summary = build_index([str(a)], tmp_path / "new", model=encoder, add=True, progress=False)
    assert summary["articles"] == 2 and (tmp_path / "new" / "CURRENT").exists()


def test_vector_lookup_reads_rows_by_id():
    vecs = np.arange(12, dtype=np.float32).reshape(4, 3)
    look = VectorLookup(["a", "b", "c", "d"], vecs)
    assert "c" in look and "z" not in look and len(look) == 4
    assert look["c"].tolist() == [6.0, 7.0, 8.0]
