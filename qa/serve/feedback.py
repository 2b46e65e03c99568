"""Thumbs up/down from the chat, kept in SQLite under $QA_DATA_DIR (default ./data).

WAL mode so the chat can write while someone reads the file; every statement is
parameterised; one connection per call, so the store is safe from any thread."""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Optional

MAX_TEXT = 4000          # a row never holds more than this many characters per field
_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    created   REAL    NOT NULL,
    rating    INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    question  TEXT    NOT NULL,
    answers   TEXT    NOT NULL,   -- JSON list of {"text", "doc_ids"} as shown
    filters   TEXT    NOT NULL DEFAULT '{}'
)"""


class FeedbackStore:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._init_lock = threading.Lock()
        self._ready = False

    def _connect(self) -> sqlite3.Connection:
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=5.0)
        if not self._ready:
            with self._init_lock:
                if not self._ready:
                    conn.execute("PRAGMA journal_mode=WAL")
                    conn.execute(_SCHEMA)
                    conn.commit()
                    self._ready = True
        return conn

    def add(self, question: str, answers: list, liked: bool, filters: Optional[dict] = None) -> int:
        """Store one rating; returns the row id."""
        row = (time.time(), 1 if liked else -1, str(question)[:MAX_TEXT],
               json.dumps(_clip(answers), ensure_ascii=False),
               json.dumps(_clip(filters or {}), ensure_ascii=False))
        conn = self._connect()
        try:
            with conn:
                cur = conn.execute(
                    "INSERT INTO feedback (created, rating, question, answers, filters) VALUES (?, ?, ?, ?, ?)",
                    row)
            return int(cur.lastrowid)
        finally:
            conn.close()

    def recent(self, limit: int = 50) -> list[dict]:
        conn = self._connect()
        try:
            rows = conn.execute(
                "SELECT id, created, rating, question, answers, filters FROM feedback ORDER BY id DESC LIMIT ?",
                (int(limit),)).fetchall()
        finally:
            conn.close()
        return [{"id": r[0], "created": r[1], "rating": r[2], "question": r[3],
                 "answers": json.loads(r[4]), "filters": json.loads(r[5])} for r in rows]

    def counts(self) -> dict:
        conn = self._connect()
        try:
            up, down = conn.execute(
                "SELECT COALESCE(SUM(rating = 1), 0), COALESCE(SUM(rating = -1), 0) FROM feedback").fetchone()
        finally:
            conn.close()
        return {"up": int(up), "down": int(down)}

    def journal_mode(self) -> str:
        conn = self._connect()
        try:
            return conn.execute("PRAGMA journal_mode").fetchone()[0]
        finally:
            conn.close()


def _clip(value, depth: int = 0):
    """Bound what one row can hold (strings, list lengths, nesting) while keeping valid JSON."""
    if depth > 4:
        return None
    if isinstance(value, str):
        return value[:MAX_TEXT]
    if isinstance(value, dict):
        return {str(k)[:100]: _clip(v, depth + 1) for k, v in list(value.items())[:20]}
    if isinstance(value, (list, tuple)):
        return [_clip(v, depth + 1) for v in list(value)[:20]]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)[:MAX_TEXT]
