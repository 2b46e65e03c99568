"""The dense index picks exact or approximate search by size, saves and loads either,
and the approximate one finds what exact search finds. Synthetic vectors: no model."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest

from conftest import reread_settings

from qa.index.dense import APPROX_THRESHOLD, DenseIndex, DenseParams, RowFile


def clustered(n: int, d: int = 64, centers: int = 40, seed: int = 0) -> np.ndarray:
    """Unit vectors in clusters, like sentence embeddings of related sentences."""
    rng = np.random.default_rng(seed)
    c = rng.standard_normal((centers, d)).astype(np.float32)
    v = c[rng.integers(0, centers, n)] + 0.35 * rng.standard_normal((n, d)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_choice_by_size_with_threshold_override():
    assert DenseParams.for_size(999, threshold=1000).kind == "flat"
    p = DenseParams.for_size(1000, threshold=1000)
    assert p.kind == "ivf_sq8"
    assert p.nlist >= 16 and 0 < p.nprobe <= p.nlist and p.rerank > 0 and 0 < p.train_size <= 1000
    assert DenseParams.for_size(APPROX_THRESHOLD - 1).kind == "flat"
    big = DenseParams.for_size(1_000_000)
    assert big.kind == "ivf_sq8" and big.nlist > p.nlist


def test_build_picks_kind_and_params_round_trip():
    vecs = clustered(600)
    assert DenseIndex.build(vecs, threshold=601).params.kind == "flat"
    idx = DenseIndex.build(vecs, threshold=500)
    assert idx.params.kind == "ivf_sq8"
    d = json.loads(json.dumps(idx.params.to_dict()))
    assert DenseParams.from_dict(d) == idx.params


def test_old_manifest_params_still_load():
    old = {"kind": "flat", "hnsw_m": 32, "ef_construction": 80, "ef_search": 128, "metric": "inner_product"}
    assert DenseParams.from_dict(old) == DenseParams()


@pytest.mark.parametrize("params", [None, DenseParams(kind="ivf_sq8", nlist=64, nprobe=8, rerank=200,
                                                       train_size=4000)])
def test_approximate_recall_against_flat(params):
    """The size-chosen parameters, and a partial probe (8 of 64 cells) that must still
    find what exact search finds thanks to the exact re-ranking."""
    vecs = clustered(4000, seed=1)
    approx = DenseIndex(vecs, params) if params else DenseIndex.build(vecs, threshold=1000)
    flat = DenseIndex.build(vecs, threshold=10**9)
    assert approx.params.kind == "ivf_sq8" and flat.params.kind == "flat"
    recalls = []
    for q in clustered(60, seed=2):
        ids, sims = approx.search(q, 10)
        assert len(ids) == 10 and np.all(np.diff(sims) <= 1e-6)            # best first
        assert np.allclose(sims, vecs[ids] @ q, atol=1e-5)                  # exact re-ranked scores
        recalls.append(len(set(ids.tolist()) & set(flat.search(q, 10)[0].tolist())) / 10)
    assert np.mean(recalls) >= 0.95


def test_save_load_round_trip(tmp_path):
    vecs = clustered(3000, seed=3)
    idx = DenseIndex.build(vecs, threshold=1000)
    names = idx.save(tmp_path)
    assert set(names) == {"vectors.npy", "dense.faiss"}
    back = DenseIndex.load(tmp_path, DenseParams.from_dict(idx.params.to_dict()))
    assert isinstance(back.vectors, RowFile)            # read from disk on demand, not held
    assert np.array_equal(np.asarray(back.vectors), vecs)
    assert back.faiss.ntotal == 3000 and back.params == idx.params
    for q in clustered(10, seed=4):
        a_ids, a_s = idx.search(q, 10)
        b_ids, b_s = back.search(q, 10)
        assert a_ids.tolist() == b_ids.tolist() and np.allclose(a_s, b_s)


def test_flat_save_writes_only_vectors(tmp_path):
    idx = DenseIndex.build(clustered(50), threshold=1000)
    assert idx.save(tmp_path) == ["vectors.npy"]
    back = DenseIndex.load(tmp_path, idx.params)
    q = clustered(1, seed=9)[0]
    assert back.search(q, 5)[0].tolist() == idx.search(q, 5)[0].tolist()


@pytest.mark.parametrize("start,threshold", [(400, 10_000), (2000, 1000), (900, 1000)])
def test_add_appends_and_finds_new_vectors(start, threshold):
    vecs = clustered(start + 50, seed=5)
    idx = DenseIndex.build(vecs[:start], threshold=threshold).add(vecs[start:], threshold=threshold)
    assert idx.faiss.ntotal == start + 50 and len(idx.vectors) == start + 50
    assert idx.params.kind == DenseParams.for_size(start + 50, threshold).kind
    for i in range(start, start + 50, 7):
        ids, _ = idx.search(vecs[i], 1)
        assert np.allclose(vecs[ids[0]], vecs[i])                        # itself (or an equal vector)


def test_search_handles_k_larger_than_index():
    vecs = clustered(30)
    ids, sims = DenseIndex.build(vecs, threshold=1000).search(vecs[0], 100)
    assert len(ids) == 30 and sorted(ids.tolist()) == list(range(30))


@pytest.mark.parametrize("threshold", [10**9, 500])
def test_search_runs_on_one_thread_and_restores_the_setting(threshold, monkeypatch):
    """A one-query search runs with one OpenMP thread (waking sleeping threads costs more
    than the scan) and leaves the caller's thread count as it was, so building keeps all."""
    import faiss

    vecs = clustered(2000)
    index = DenseIndex.build(vecs, threshold=threshold)
    seen = []
    real = index.faiss.search

    def spy(*args, **kwargs):
        seen.append(faiss.omp_get_max_threads())
        return real(*args, **kwargs)

    monkeypatch.setattr(index.faiss, "search", spy, raising=False)
    faiss.omp_set_num_threads(2)
    try:
        ids, sims = index.search(vecs[7], 5)
        assert seen == [1] and faiss.omp_get_max_threads() == 2
    finally:
        faiss.omp_set_num_threads(os.cpu_count() or 1)
    assert ids[0] == 7 and np.all(np.diff(sims) <= 1e-6)


@pytest.mark.slow
def test_lean_encoder_matches_sentence_transformers(encoder, monkeypatch):
    """The plain-torch forward pass gives sentence-transformers' vectors (bundled model)."""
    from qa.index.encoder import Encoder, resolve_model
    from qa.index.minilm import LeanBert

    path = resolve_model()
    assert LeanBert.fits(path)
    texts = ["Who leads the Labour Party?", "x", "The NEC banned three groups in July 2021. " * 3,
             "A long sentence " * 300, "Ünïcödé — quotes “curly” and dashes – too."]
    lean = Encoder()
    lean.warm_up()
    assert isinstance(lean._model, LeanBert) and lean.dim == 384
    monkeypatch.setenv("QA_ENCODER", "sentence-transformers")
    reread_settings()
    ref = Encoder().warm_up()
    assert not isinstance(ref._model, LeanBert)
    a, b = lean.encode(texts), ref.encode(texts)
    assert a.shape == b.shape == (len(texts), 384)
    assert np.max(np.abs(a - b)) < 1e-5
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)


def test_row_file_indexes_like_an_array(tmp_path):
    vecs = clustered(257, d=8, seed=6)
    np.save(tmp_path / "v.npy", vecs)
    rows = RowFile(tmp_path / "v.npy")
    assert len(rows) == 257 and rows.shape == (257, 8) and rows.dtype == np.float32
    assert np.array_equal(rows[5], vecs[5]) and np.array_equal(rows[-1], vecs[-1])
    assert np.array_equal(rows[10:20], vecs[10:20]) and np.array_equal(rows[250:400], vecs[250:])
    assert np.array_equal(rows[::7], vecs[::7])
    pick = np.array([200, 3, 4, 5, 3, 256, 0])                       # unsorted, repeated, runs
    assert np.array_equal(rows[pick], vecs[pick])
    assert np.array_equal(rows[pick.reshape(7, 1)], vecs[pick.reshape(7, 1)])
    mask = np.zeros(257, bool)
    mask[[1, 2, 100]] = True
    assert np.array_equal(rows[mask], vecs[mask])
    assert rows[np.array([], np.int64)].shape == (0, 8)
    assert np.array_equal(np.asarray(rows), vecs) and np.asarray(rows, np.float64).dtype == np.float64
    with pytest.raises(IndexError):
        rows[257]
    with pytest.raises(IndexError):
        rows[np.array([0, 300])]


@pytest.mark.parametrize("threshold", [10**9, 1000])
def test_search_within_allowed_rows(threshold):
    """A mask restricts the search inside faiss: only allowed rows come back, and they
    are the best allowed rows (flat) or nearly so (IVF)."""
    vecs = clustered(3000, seed=7)
    idx = DenseIndex.build(vecs, threshold=threshold)
    allowed = np.random.default_rng(8).random(3000) < 0.15
    allowed_ids = np.flatnonzero(allowed)
    hits = []
    for q in clustered(30, seed=9):
        ids, sims = idx.search(q, 10, allowed=allowed)
        assert len(ids) == 10 and allowed[ids].all() and np.all(np.diff(sims) <= 1e-6)
        best = allowed_ids[np.argsort(-(vecs[allowed_ids] @ q), kind="stable")[:10]]
        hits.append(len(set(ids.tolist()) & set(best.tolist())) / 10)
    assert np.mean(hits) >= 0.95
    none = np.zeros(3000, bool)
    assert len(idx.search(vecs[0], 10, allowed=none)[0]) == 0
    one = none.copy()
    one[123] = True
    assert idx.search(vecs[0], 10, allowed=one)[0].tolist() == [123]


def test_row_file_reads_many_runs_in_blocks(tmp_path):
    vecs = clustered(5000, d=8, seed=10)
    np.save(tmp_path / "v.npy", vecs)
    pick = np.flatnonzero(np.random.default_rng(11).random(5000) < 0.3)      # > 256 runs
    assert np.array_equal(RowFile(tmp_path / "v.npy")[pick], vecs[pick])


def test_query_cache_is_safe_under_threads():
    """Many threads asking over a tiny cache: the hand-written LRU this replaced raised
    KeyError when one thread evicted another's hit (docs/library-choices.md)."""
    import threading

    from qa.index.encoder import Encoder

    class NoModel(Encoder):
        def _encode_one(self, text):       # no model: the cache is what is under test
            return np.full(3, float(len(text)))

    enc = NoModel(cache_size=2)
    errors = []

    def work(k):
        for i in range(5000):
            try:
                v = enc.encode_query("q" * ((i + k) % 5 + 1))
                assert v[0] == (i + k) % 5 + 1
            except Exception as exc:   # noqa: BLE001 - any failure is the finding
                errors.append(repr(exc))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    hits, misses, maxsize, size = enc.cache_info()
    assert maxsize == 2 and size <= 2 and hits + misses == 8 * 5000
