"""The SQLite feedback store and the chat's thumbs up/down wiring (no model needed)."""
from __future__ import annotations

import json
import sqlite3
import threading

import pytest

from qa.serve.chat import ChatBackend, earlier_questions, make_filters
from qa.serve.ratelimit import SlidingWindow
from qa.answer.engine import QuestionError
from qa.serve.feedback import MAX_TEXT, FeedbackStore
from qa.types import Answer, Citation, Result


def test_store_uses_wal_and_round_trips(tmp_path):
    store = FeedbackStore(tmp_path / "sub" / "fb.sqlite3")
    answers = [{"text": "During its nine hour meeting, the NEC also approved plans.", "doc_ids": ["a", "b"]}]
    rid = store.add("How long?", answers, True, {"sources": ["HuffPost UK"]})
    store.add("Capital of France?", [], False)
    assert store.journal_mode() == "wal"
    rows = store.recent()
    assert [r["id"] for r in rows] == [rid + 1, rid]
    assert rows[1]["question"] == "How long?" and rows[1]["rating"] == 1
    assert rows[1]["answers"] == answers and rows[1]["filters"] == {"sources": ["HuffPost UK"]}
    assert rows[0]["rating"] == -1
    assert store.counts() == {"up": 1, "down": 1}


def test_sql_in_text_is_stored_verbatim(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    evil = "x'); DROP TABLE feedback; --"
    store.add(evil, [{"text": evil, "doc_ids": [evil]}], True)
    row = store.recent(1)[0]
    assert row["question"] == evil and row["answers"][0]["text"] == evil
    conn = sqlite3.connect(tmp_path / "fb.sqlite3")
    assert conn.execute("SELECT COUNT(*) FROM feedback").fetchone()[0] == 1
    conn.close()


def test_oversized_rows_are_clipped_but_stay_valid_json(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    huge = "é" * (MAX_TEXT * 3)
    store.add(huge, [{"text": huge, "doc_ids": list(range(100))}] * 50, False, {"k": {"deep": [[[[["x"]]]]]}})
    row = store.recent(1)[0]
    assert len(row["question"]) == MAX_TEXT
    assert len(row["answers"]) == 20 and len(row["answers"][0]["text"]) == MAX_TEXT
    assert len(row["answers"][0]["doc_ids"]) == 20


def test_concurrent_writers(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    errors = []

    def worker(n):
        try:
            for i in range(20):
                store.add(f"q{n}-{i}", [], i % 2 == 0)
        except Exception as exc:       # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert store.counts() == {"up": 40, "down": 40}


class _OneAnswer:
    """Stands in for the Assistant: returns one fixed Result, records what it was asked."""

    def __init__(self):
        self.calls = []

    def ask(self, question, history=(), k=3, filters=None):
        self.calls.append((question, list(history), filters))
        if not question.strip():
            raise QuestionError("question is empty")
        cite = Citation("d1", "Title <b>", "LabourList", "2022-03-29", "https://labourlist.org/a", "p1", 0, 10)
        return Result(question, False, None, (Answer("Quote <i>one</i>.", 0.9, {"before": None, "after": None},
                                                     (cite,)),))


def test_thumbs_store_question_and_plain_answers(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    backend = ChatBackend(_OneAnswer(), store)
    markup = backend.respond("Who <script>?", [], ["LabourList"], "", "")
    history = [{"role": "user", "content": "Who <script>?"}, {"role": "assistant", "content": markup}]
    assert backend.feedback(1, True, history) is not None
    assert backend.feedback(1, "Dislike", history) is not None
    assert backend.feedback(0, True, [{"role": "user", "content": "x"}] * 0) is None    # out of range
    assert backend.feedback(1, None, history) is None                                  # un-liked
    rows = store.recent()
    assert rows[1]["question"] == "Who <script>?" and rows[1]["rating"] == 1
    assert rows[1]["answers"] == [{"text": "Quote <i>one</i>.", "doc_ids": ["d1"]}]
    assert rows[1]["filters"] == {"sources": ["LabourList"]}
    assert rows[0]["rating"] == -1


def test_thumbs_on_an_uncached_message_keep_its_visible_text(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    backend = ChatBackend(_OneAnswer(), store)
    history = [{"role": "user", "content": [{"type": "text", "text": "Earlier?"}]},
               {"role": "assistant", "content": "<div><blockquote>Old &amp; gone</blockquote></div>"}]
    backend.feedback([1, 0], False, history)
    row = store.recent(1)[0]
    assert row["question"] == "Earlier?" and row["answers"][0]["text"] == "Old & gone"


def test_history_and_filters_from_gradio_messages():
    history = [{"role": "user", "content": "First?"}, {"role": "assistant", "content": "<p>a</p>"},
               {"role": "user", "content": [{"type": "text", "text": "Second?"}]},
               {"role": "assistant", "content": {"path": "x.png"}}, {"role": "user", "content": "  "}]
    assert earlier_questions(history) == ["First?", "Second?"]
    assert earlier_questions(None) == []
    assert make_filters(["A"], " 2021-01-01 ", None) == {"sources": ["A"], "date_from": "2021-01-01"}
    assert make_filters([], "", "") == {}


def test_respond_passes_history_and_shows_errors_as_text():
    fake = _OneAnswer()
    backend = ChatBackend(fake, None)
    backend.respond("Follow up?", [{"role": "user", "content": "First?"}], None, None, "2022-01-01")
    assert fake.calls[-1] == ("Follow up?", ["First?"], {"date_to": "2022-01-01"})
    out = backend.respond("   ", [])
    assert 'class="qa-error"' in out and "question is empty" in out
    assert backend.feedback(1, True, []) is None         # no store configured: nothing stored


@pytest.mark.parametrize("liked,expected", [(True, 1), (False, -1), ("Like", 1), ("Dislike", -1)])
def test_like_values(tmp_path, liked, expected):
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    backend = ChatBackend(_OneAnswer(), store)
    markup = backend.respond("Q?", [])
    backend.feedback(1, liked, [{"role": "user", "content": "Q?"}, {"role": "assistant", "content": markup}])
    assert store.recent(1)[0]["rating"] == expected
    assert json.dumps(store.recent(1)[0])      # rows are plain JSON-able data


def test_each_message_is_one_question_of_its_client_and_over_the_limit_the_reply_says_so():
    fake, now = _OneAnswer(), [100.0]
    backend = ChatBackend(fake, None, SlidingWindow(3, clock=lambda: now[0]))
    for _ in range(3):
        assert 'class="qa-result"' in backend.respond("Q?", [], client="10.0.0.1")
    over = backend.respond("Q?", [], client="10.0.0.1")
    assert over == '<div class="qa-error" role="alert"><p>Too many questions: try again in 60 s.</p></div>'
    assert len(fake.calls) == 3                                 # the engine was not asked
    assert 'class="qa-result"' in backend.respond("Q?", [], client="10.0.0.2")   # per client
    now[0] += 45
    assert "try again in 15 s." in backend.respond("Q?", [], client="10.0.0.1")
    now[0] += 16
    assert 'class="qa-result"' in backend.respond("Q?", [], client="10.0.0.1")
    assert 'class="qa-result"' in ChatBackend(fake, None).respond("Q?", [])     # no limiter: no limit


def test_a_question_that_got_an_error_is_not_context_for_the_next():
    backend = ChatBackend(_OneAnswer(), None)
    answered, refused = backend.respond("First?", []), backend.respond("   ", [])
    history = [{"role": "user", "content": "First?"}, {"role": "assistant", "content": answered},
               {"role": "user", "content": "Again?"}, {"role": "assistant", "content": refused},
               {"role": "user", "content": "Shown, not yet answered?"}]
    assert 'class="qa-error"' in refused
    assert earlier_questions(history) == ["First?", "Shown, not yet answered?"]
    backend.respond("Next?", history)
    assert backend.assistant.calls[-1][1] == ["First?", "Shown, not yet answered?"]
