"""Milvus as the retrieval engine (issue #14): the same product, candidates from Milvus.

    pip install 'qa-articles[milvus]'
    qa index seeds --index index --backend milvus --milvus-uri ./milvus.db   # or http(s)://host:19530
    QA_RETRIEVER=qa.milvus:create QA_MILVUS_URI=./milvus.db qa serve --index index

A file path ending in .db is Milvus Lite (embedded, one process per file); an http(s)://
URI is a Milvus server or cluster (token in QA_MILVUS_TOKEN). The local index stays the
source of the tables that scoring and citations read; Milvus holds one entity per
sentence row and proposes candidates. docs/scale-out.md says how this scales out.
"""
from __future__ import annotations

from qa.milvus.collection import SentenceCollection, build
from qa.milvus.retriever import MilvusRetriever, create, filter_expr
from qa.milvus.connection import MilvusError, MilvusSettings, from_settings

__all__ = ["MilvusError", "MilvusRetriever", "MilvusSettings", "SentenceCollection", "build", "create",
           "filter_expr", "from_settings"]
