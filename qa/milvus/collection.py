"""The Milvus sentence collection: one entity per row of the local index's sentence table.

The primary key ``row`` IS the local sentence row, so whatever Milvus proposes is scored,
grouped and cited by the product from its own tables (verbatim offsets never depend on
the engine). Fields: row, sent_id (content hash: copies and the consistency check),
doc_id, passage (local passage row) and passage_id, source (casefolded, "" if unknown),
date ("YYYY-MM-DD" or ""), text, sparse (BM25, computed by Milvus), vector (unit
embedding). Two BM25 analyzers: ``english`` (Milvus's English analyzer over the text:
stems, drops stopwords) or ``qa`` (the product's own tokens, whitespace-joined in a
``terms`` field, so spelling folds and typo reading match the in-process BM25). The
collection says which by whether it has ``terms``.
"""
from __future__ import annotations

import numpy as np

from qa.milvus.connection import MilvusError, MilvusSettings, connect, quiet_pymilvus, release

ANALYZERS = ("english", "qa")
# Index types Milvus Lite 2.5 builds for dense vectors are FLAT, IVF_FLAT and AUTOINDEX;
# a server also has HNSW and the quantised types. Search parameters follow the type.
DENSE_SEARCH = {"FLAT": {}, "IVF_FLAT": {"nprobe": 32}, "HNSW": {"ef": 128}, "AUTOINDEX": {}}
BATCH = 2000                 # rows per upsert: ~3.5 MB a message, far under gRPC's 64 MB
MAX_TEXT = 16_000            # characters: <= 64,000 UTF-8 bytes, under VARCHAR's 65,535
_FIELDS = ["row", "sent_id"]


def quote(value: str) -> str:
    """A string literal for a Milvus filter expression. Milvus Lite 2.5 has no filter
    templates, so user text (a publisher name) is escaped, never pasted."""
    out = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(c if c >= " " else " " for c in out) + '"'


def _rows_in(rows) -> str:
    return "row in [" + ",".join(str(int(r)) for r in rows) + "]"


class SentenceCollection:
    """A client and a collection name; thin, typed wrappers over pymilvus calls."""

    def __init__(self, settings: MilvusSettings):
        self.settings = settings
        self.name = settings.collection
        self.client = connect(settings)
        self._analyzer: str | None = None
        self._dense_index: str | None = None

    def close(self, stop_lite: bool = False) -> None:
        """Close the client; ``stop_lite`` also stops the Milvus Lite process."""
        try:
            self.client.close()
        finally:
            if stop_lite:
                release(self.settings)

    def _call(self, what: str, fn, *args, **kwargs):
        """One pymilvus call with the settings' timeout; any failure is one MilvusError line."""
        try:
            with quiet_pymilvus():
                return fn(*args, timeout=self.settings.timeout, **kwargs)
        except MilvusError:
            raise
        except Exception as exc:
            msg = " ".join(str(getattr(exc, "message", None) or exc).split())
            raise MilvusError(f"Milvus {what} failed on {self.name} at {self.settings.uri}: {msg}") from None

    # ------------------------------------------------------------ schema
    def exists(self) -> bool:
        return bool(self._call("has_collection", self.client.has_collection, self.name))

    @property
    def analyzer(self) -> str:
        if self._analyzer is None:
            desc = self._call("describe_collection", self.client.describe_collection, self.name)
            self._analyzer = "qa" if any(f["name"] == "terms" for f in desc["fields"]) else "english"
        return self._analyzer

    @property
    def dense_index(self) -> str:
        if self._dense_index is None:
            desc = self._call("describe_index", self.client.describe_index, self.name, "vector")
            self._dense_index = str(desc.get("index_type") or "FLAT")
        return self._dense_index

    def create(self, dim: int, analyzer: str = "english", dense_index: str = "FLAT",
               k1: float = 1.5, b: float = 0.75) -> None:
        """A new, empty collection (an existing one of that name is dropped first)."""
        from pymilvus import DataType, Function, FunctionType

        if analyzer not in ANALYZERS or dense_index not in DENSE_SEARCH:
            raise MilvusError(f"analyzer must be one of {ANALYZERS} and dense index one of {tuple(DENSE_SEARCH)}")
        c = self.client
        if self.exists():
            self._call("drop_collection", c.drop_collection, self.name)
        s = c.create_schema(auto_id=False, enable_dynamic_field=False,
                            description=f"qa sentences; analyzer={analyzer}")
        s.add_field("row", DataType.INT64, is_primary=True)
        s.add_field("sent_id", DataType.VARCHAR, max_length=64)
        s.add_field("doc_id", DataType.VARCHAR, max_length=4096)
        s.add_field("passage", DataType.INT64)
        s.add_field("passage_id", DataType.VARCHAR, max_length=64)
        s.add_field("source", DataType.VARCHAR, max_length=4096)
        s.add_field("date", DataType.VARCHAR, max_length=10)
        english = {"enable_analyzer": True, "analyzer_params": {"type": "english"}} if analyzer == "english" else {}
        s.add_field("text", DataType.VARCHAR, max_length=65535, **english)
        if analyzer == "qa":
            s.add_field("terms", DataType.VARCHAR, max_length=65535, enable_analyzer=True,
                        analyzer_params={"tokenizer": "whitespace"})
        s.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        s.add_field("vector", DataType.FLOAT_VECTOR, dim=int(dim))
        s.add_function(Function(name="bm25", function_type=FunctionType.BM25, output_field_names=["sparse"],
                                input_field_names=["terms" if analyzer == "qa" else "text"]))
        ip = c.prepare_index_params()
        # The local index's BM25 constants, so both engines weigh term frequency alike.
        ip.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                     params={"bm25_k1": float(k1), "bm25_b": float(b)})
        ip.add_index("vector", index_type=dense_index, metric_type="IP",
                     params={"nlist": 1024} if dense_index == "IVF_FLAT" else
                     {"M": 32, "efConstruction": 200} if dense_index == "HNSW" else {})
        for name in ("source", "date", "doc_id"):    # the filter fields: no scan per question
            ip.add_index(name, index_type="INVERTED")
        # Strong consistency: an article added or removed is seen by the next question.
        self._call("create_collection", c.create_collection, self.name, schema=s, index_params=ip,
                   consistency_level="Strong")
        self._analyzer, self._dense_index = analyzer, dense_index

    # ------------------------------------------------------------ writes
    def upsert_rows(self, built, rows) -> int:
        """Write sentence-table ``rows`` of ``built`` (insert or replace). Returns the count."""
        rows = np.asarray(rows, dtype=np.int64)
        for s in range(0, len(rows), BATCH):
            chunk = rows[s:s + BATCH]
            self._call("upsert", self.client.upsert, self.name, self._entities(built, chunk))
        return int(len(rows))

    def _entities(self, built, rows: np.ndarray) -> list[dict]:
        t, arts = built.tables, built.articles
        vecs = np.asarray(built.dense.vectors[rows], dtype=np.float32)
        out = []
        for i, r in enumerate(rows.tolist()):
            a = arts[int(t.s_doc[r])]
            text = a.text[int(t.s_start[r]):int(t.s_end[r])][:MAX_TEXT]
            e = {"row": r, "sent_id": t.sent_ids[r], "doc_id": a.doc_id, "passage": int(t.s_pass[r]),
                 "passage_id": t.passage_ids[int(t.s_pass[r])], "source": (a.source or "").casefold(),
                 "date": (a.date or "")[:10], "text": text, "vector": vecs[i]}
            if self.analyzer == "qa":
                e["terms"] = " ".join(built.tokenizer(text))[:MAX_TEXT]
            out.append(e)
        return out

    def upsert_articles(self, built, doc_ids) -> int:
        """Write every sentence of the articles ``doc_ids`` (they must be in ``built``)."""
        index = {a.doc_id: i for i, a in enumerate(built.articles)}
        missing = [d for d in doc_ids if d not in index]
        if missing:
            raise MilvusError(f"not in the local index, add them with `qa index --add` first: {', '.join(missing)}")
        docs = np.asarray([index[d] for d in doc_ids], dtype=np.int64)
        return self.upsert_rows(built, np.flatnonzero(np.isin(built.tables.s_doc, docs)))

    def delete_articles(self, doc_ids) -> None:
        """Remove the articles' sentences; the local index keeps them, unproposed."""
        ids = list(doc_ids)
        if ids:
            expr = "doc_id in [" + ",".join(quote(d) for d in ids) + "]"
            self._call("delete", self.client.delete, self.name, filter=expr)

    # ------------------------------------------------------------ reads
    def count(self) -> int:
        res = self._call("count", self.client.query, self.name, filter="", output_fields=["count(*)"])
        return int(res[0]["count(*)"])

    def search_bm25(self, text: str, limit: int, expr: str = "") -> np.ndarray:
        if not text.strip():
            return np.zeros(0, np.int64)
        res = self._call("BM25 search", self.client.search, self.name, data=[text], anns_field="sparse",
                         limit=limit, filter=expr, search_params={"metric_type": "BM25"})
        return np.fromiter((h["id"] for h in res[0]), np.int64)

    def search_dense(self, vector: np.ndarray, limit: int, expr: str = "") -> np.ndarray:
        params = {"metric_type": "IP", "params": DENSE_SEARCH.get(self.dense_index, {})}
        res = self._call("dense search", self.client.search, self.name, data=[np.asarray(vector, np.float32)],
                         anns_field="vector", limit=limit, filter=expr, search_params=params)
        return np.fromiter((h["id"] for h in res[0]), np.int64)

    def present(self, rows, expr: str = "") -> np.ndarray:
        """Those of ``rows`` the collection holds (not deleted) that ``expr`` allows: a
        primary-key lookup, a few ms however large the collection."""
        rows = sorted({int(r) for r in rows})
        if not rows:
            return np.zeros(0, np.int64)
        f = _rows_in(rows) + (f" and ({expr})" if expr else "")
        res = self._call("query", self.client.query, self.name, filter=f, output_fields=["row"])
        return np.fromiter((r["row"] for r in res), np.int64)

    def check(self, built, index_name: str = "the local index") -> None:
        """The collection must describe ``built``: rows it holds carry the same sentence
        and none lies past the local table. Deleted rows are allowed. A sample of rows is
        read (a few ms), not the whole collection."""
        uri = self.settings.uri
        fix = f"rebuild it with `qa index --backend milvus --milvus-uri {uri}`"
        if not self.exists():
            raise MilvusError(f"no collection {self.name} at {uri}: build it with "
                              f"`qa index --backend milvus --milvus-uri {uri}`")
        n = len(built.tables.sent_ids)
        past = self._call("query", self.client.query, self.name, filter=f"row >= {n}", output_fields=["row"], limit=1)
        if past:
            raise MilvusError(f"collection {self.name} at {uri} holds rows {index_name} lacks "
                              f"(row {past[0]['row']} of {n}): {fix}")
        sample = sorted({0, n // 4, n // 2, (3 * n) // 4, n - 1} - {-1}) if n else []
        got = self._call("query", self.client.query, self.name, filter=_rows_in(sample), output_fields=_FIELDS) \
            if sample else []
        for rec in got:
            if built.tables.sent_ids[int(rec["row"])] != rec["sent_id"]:
                raise MilvusError(f"collection {self.name} at {uri} does not match {index_name} "
                                  f"(row {rec['row']} holds another sentence): {fix}")


def default_dense_index(n: int, settings: MilvusSettings) -> str:
    """Exact below the product's own switch to approximate search (QA_DENSE_APPROX_AT,
    50,000 sentences); above it IVF_FLAT on Milvus Lite (its only approximate type),
    HNSW on a server."""
    from qa.settings import current

    if n < current().dense_approx_at:
        return "FLAT"
    return "IVF_FLAT" if settings.is_lite else "HNSW"


def build(built, settings: MilvusSettings, analyzer: str = "english", dense_index: str | None = None) -> dict:
    """A fresh collection holding every sentence of ``built``. Returns counts."""
    dense_index = dense_index or default_dense_index(len(built.tables.sent_ids), settings)
    col = SentenceCollection(settings)
    try:
        p = built.bm25_params
        col.create(int(built.dense.vectors.shape[1]), analyzer, dense_index, p.k1, p.b)
        n = col.upsert_rows(built, np.arange(len(built.tables.sent_ids)))
        return {"milvus_uri": settings.uri, "collection": settings.collection, "analyzer": analyzer,
                "dense_index": dense_index, "sentences": n}
    finally:
        col.close()
