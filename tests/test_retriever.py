"""The retriever seam (qa/answer/retriever.py): the in-process retriever meets the contract, and
a retriever written as one module and named in the settings serves ask()."""
from __future__ import annotations

import numpy as np
import pytest

from qa.answer.retriever import InProcessRetriever, Request, Retriever, load_retriever
from qa.answer.retrieve import bm25_scores


def _request(assistant, question, filters=None):
    from qa.answer.engine import check_filters

    fl = check_filters(filters)
    query = assistant.query(question, [])
    mask = assistant.doc_mask(fl)
    qv = assistant.encoder.encode_query(query.dense_text)
    return Request(query, qv, fl, mask, bm25_scores(assistant.built, query, mask))


@pytest.mark.parametrize("filters", [None, {"sources": ["HuffPost UK"]}, {"date_from": "2022-01-01"}])
def test_in_process_retriever_meets_the_contract(assistant, filters):
    r = load_retriever(None, assistant)
    assert isinstance(r, InProcessRetriever) and isinstance(r, Retriever)
    req = _request(assistant, "How many members could be expelled?", filters)
    ids = r.candidates(req)
    assert ids.dtype == np.int64 and len(ids) > 0
    assert np.all(np.diff(ids) > 0)                              # sorted, unique
    assert np.array_equal(ids, r.candidates(req))                # deterministic
    if req.doc_mask is not None:
        assert req.doc_mask[assistant.built.tables.s_doc[ids]].all()   # only allowed articles
        assert len(ids) < len(assistant.built.tables.sent_ids)


def test_a_retriever_named_in_the_settings_serves_ask(assistant):
    from qa.answer.engine import Assistant

    toy = Assistant.from_built(assistant.built, assistant.encoder, assistant.config,
                               retriever="toy_plugins:first_article")
    assert type(toy.retriever).__name__ == "FirstArticleRetriever"
    first = assistant.built.articles[0].doc_id
    r = toy.ask("Which groups were proscribed?", k=5)
    # The ranked answers come from the retriever's candidates; other outlets' versions of the
    # first answer (qa/answer/versions.py, looked up in the whole index) follow the k answers.
    assert r.answers and all(c.doc_id == first for a in r.answers[:5] for c in a.citations)
    arts = {a.doc_id: a for a in assistant.built.articles}
    assert all(arts[c.doc_id].text[c.start:c.end] == a.text for a in r.answers for c in a.citations)


@pytest.mark.parametrize("spec", ["toy_plugins:missing", "no_such_module:create", "toy_plugins:not_a_retriever"])
def test_a_bad_retriever_name_is_a_clear_error(assistant, spec):
    with pytest.raises(ValueError, match="retriever"):
        load_retriever(spec, assistant)
