"""Index manifest checks, atomic generations and corpus loading."""
from __future__ import annotations

import json

import pytest

from qa.ingest import corpus
from qa.answer.engine import Assistant
from qa.index.indexing import is_stale
from qa.index.store import FORMAT_VERSION, IndexError_, live_generation, load, read_manifest

from conftest import SEEDS, write_corpus


def test_manifest_records_what_load_checks(seed_index):
    m = read_manifest(seed_index)
    assert m["format_version"] == FORMAT_VERSION
    assert m["model"]["dim"] == 384 and m["model"]["name"]
    assert m["bm25"]["variant"] == "okapi" and m["tokenizer"]["name"]
    assert m["corpus"]["articles"] == 5 and m["corpus"]["sentences"] > 50
    assert m["dense"]["kind"] == "flat"
    assert all(len(f["sha256"]) == 64 for f in m["files"].values())


def test_seed_metadata_and_ids():
    rep = corpus.load([SEEDS])
    assert len(rep.articles) == 5 and not rep.skipped
    ids = {a.doc_id for a in rep.articles}
    assert "002_18f3a3f4d4a607e4" in ids
    a = next(a for a in rep.articles if a.doc_id == "002_18f3a3f4d4a607e4")
    assert a.source == "HuffPost UK" and a.date == "2021-07-20" and a.url.startswith("https://")
    assert a.title == "Keir Starmer Expels Far-Left Corbyn Supporters From Labour"
    # unknown stays unknown: no publisher is guessed for a republished copy
    assert next(a for a in rep.articles if a.doc_id.startswith("000_")).source is None


def test_same_article_twice_is_stored_once(tmp_path):
    text = "Headline\n\nThe council met on Monday and agreed the budget for next year.\n"
    folder = write_corpus(tmp_path / "c", {"a.txt": text, "b.txt": text, "c.bin": b"\x00\x01\x02"})
    rep = corpus.load([folder])
    assert [a.doc_id for a in rep.articles] == ["a"]
    assert rep.duplicates == [(str(folder / "b.txt"), "a")]
    assert rep.skipped and rep.skipped[0][0].endswith("c.bin")


def _copy_index(src, dst):
    import shutil

    shutil.copytree(src, dst)
    return dst


def test_damaged_file_is_found_by_checksum(seed_index, tmp_path):
    idx = _copy_index(seed_index, tmp_path / "idx")
    gen = live_generation(idx)
    target = gen / "sent_ids.json"
    data = bytearray(target.read_bytes())
    data[5] = (data[5] + 1) % 256
    target.write_bytes(bytes(data))
    with pytest.raises(IndexError_, match="damaged"):
        load(idx)


def test_sentences_out_of_article_order_are_refused(seed_index, tmp_path):
    """Readers find an article's sentences as one run (qa.answer.versions.without_articles);
    an index whose sentences are not stored article by article is read as damaged."""
    import numpy as np

    idx = _copy_index(seed_index, tmp_path / "idx")
    path = live_generation(idx) / "s_doc.npy"
    s_doc = np.load(path)
    np.save(path, s_doc[::-1].copy())
    with pytest.raises(IndexError_, match="article by article.*rebuild"):
        load(idx, verify=False)


def test_version_and_model_mismatch_say_how_to_rebuild(seed_index, tmp_path):
    idx = _copy_index(seed_index, tmp_path / "idx")
    with pytest.raises(IndexError_, match="rebuild"):
        load(idx, model="some/other-model")
    mpath = live_generation(idx) / "manifest.json"
    m = json.loads(mpath.read_text())
    m["format_version"] = 999
    mpath.write_text(json.dumps(m))
    with pytest.raises(IndexError_, match="format version 999.*rebuild"):
        load(idx)


def test_missing_index_is_a_clear_error(tmp_path):
    with pytest.raises(IndexError_, match="no index"):
        Assistant(tmp_path / "nothing").ask("Who?")


def test_staleness(seed_index, tmp_path):
    assert not is_stale([str(SEEDS)], seed_index)
    other = write_corpus(tmp_path / "c", {"a.txt": "Headline\n\nSomething else entirely happened today in town.\n"})
    assert is_stale([str(other)], seed_index)
    assert is_stale([str(SEEDS)], tmp_path / "missing")


def test_index_from_an_older_tokenizer_is_stale(seed_index, tmp_path):
    import shutil

    copy = tmp_path / "idx"
    shutil.copytree(seed_index, copy)
    gen = copy / (copy / "CURRENT").read_text().strip()
    manifest = json.loads((gen / "manifest.json").read_text())
    manifest["tokenizer"]["name"] = "qa-fold-v1"
    (gen / "manifest.json").write_text(json.dumps(manifest))
    assert is_stale([str(SEEDS)], copy)
