"""Extractive question answering over news articles: every answer is a verbatim,
cited sentence. Heavy libraries (torch, sentence-transformers, faiss) load lazily."""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["ask", "Assistant", "__version__"]


def __getattr__(name):
    if name in ("ask", "Assistant"):
        from qa.answer import engine

        return getattr(engine, name)
    raise AttributeError(name)
