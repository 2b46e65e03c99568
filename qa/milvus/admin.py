"""`qa index --backend milvus`: build the local index, then the Milvus collection.

The local index is always built (scoring and citations read its tables). Then a full
build replaces the collection (rows may have moved), and ``--add`` upserts only the rows
the add appended (``qa index --add`` never moves an existing row), so an article added to
a large archive costs its own sentences, not a rebuild. Articles removed from Milvus
with ``SentenceCollection.delete_articles`` stay removed across an ``--add``.
"""
from __future__ import annotations

import argparse
import os
from typing import Callable, Optional

import numpy as np

from qa.milvus.collection import SentenceCollection, build
from qa.milvus.connection import MilvusSettings, from_settings

BACKENDS = ("inprocess", "milvus")


def add_index_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--backend", choices=BACKENDS,
                   help="milvus: also build the Milvus collection (default: milvus when QA_RETRIEVER is "
                        "qa.milvus:create, else inprocess)")
    p.add_argument("--milvus-uri", help="Milvus Lite file (*.db) or http(s)://host:19530 (default: $QA_MILVUS_URI)")


def milvus_target(args) -> Optional[MilvusSettings]:
    """The collection ``qa index`` should build, or None for the in-process backend.
    Checked before anything is built, so a bad URI fails in a second, not after encoding."""
    from qa.settings import current

    s = current()
    backend = getattr(args, "backend", None) or ("milvus" if (s.retriever or "").startswith("qa.milvus") else "inprocess")
    if backend != "milvus":
        return None
    base = from_settings(s)
    uri = getattr(args, "milvus_uri", None) or base.uri
    return MilvusSettings(uri, base.token, base.collection, base.timeout).check()


def _rows_before(index_dir: str | os.PathLike) -> int:
    from qa.index.store import IndexError_, read_manifest

    try:
        return int(read_manifest(index_dir).get("corpus", {}).get("sentences", 0))
    except (IndexError_, TypeError, ValueError):
        return 0


def index_with_milvus(args, index_dir: str | os.PathLike, build_local: Callable[[], dict]) -> dict:
    """Run ``build_local`` (the local ``qa index``), then build or extend the collection
    the arguments and settings name; the summary gains a "milvus" entry."""
    target = milvus_target(args)
    before = _rows_before(index_dir) if target is not None and getattr(args, "add", False) else 0
    summary = build_local()
    if target is None:
        return summary
    from qa.index.store import load

    built = load(index_dir, verify=False)[0]
    col = SentenceCollection(target)
    try:
        if before and col.exists():
            col.check(built, f"the index at {index_dir}")
            n = col.upsert_rows(built, np.arange(before, len(built.tables.sent_ids)))
            summary["milvus"] = {"milvus_uri": target.uri, "collection": target.collection, "added_sentences": n}
            return summary
    finally:
        col.close()
    summary["milvus"] = build(built, target)
    return summary
