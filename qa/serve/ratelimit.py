"""Per-client rate limits: questions (a sliding window, one budget for chat messages and
POST /api/ask) and a loose ceiling on every other POST (a token bucket), with the ASGI
middleware that answers 429 for the HTTP side. The chat counts its own questions
(qa.serve.chat), since Gradio sends about ten HTTP requests per question."""
from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from typing import Optional

from qa.serve.webguard import send_json


class SlidingWindow:
    """At most ``per_minute`` events per client in any sliding 60 s window. One instance
    counts questions, whichever door they come in by: POST /api/ask (``RateLimit``) and
    each chat message (``qa.serve.chat``), so a client has one budget."""

    WINDOW = 60.0
    MAX_CLIENTS = 10_000

    def __init__(self, per_minute: int, clock=time.monotonic):
        self.limit, self.clock = int(per_minute), clock
        self.hits: OrderedDict[str, deque] = OrderedDict()
        self._lock = threading.Lock()     # the chat checks from Gradio's worker threads

    def check(self, client: str) -> float:
        """0 if the event may go ahead (it is counted), else seconds until one may."""
        with self._lock:
            now = self.clock()
            q = self.hits.pop(client, None) or deque()
            while q and q[0] <= now - self.WINDOW:
                q.popleft()
            self.hits[client] = q            # most recently seen last, for eviction
            while len(self.hits) > self.MAX_CLIENTS:
                self.hits.popitem(last=False)
            if len(q) >= self.limit:
                return max(0.001, q[0] + self.WINDOW - now)
            q.append(now)
            return 0.0


class TokenBucket:
    """About ``per_minute`` events per client a minute (bursts up to that many), in O(1)
    memory per client: for the loose ceiling on Gradio's POSTs, where a sliding window
    would keep 20 times as many timestamps per client as the question limit does."""

    MAX_CLIENTS = 10_000

    def __init__(self, per_minute: int, clock=time.monotonic):
        self.limit, self.clock = int(per_minute), clock
        self.rate = self.limit / 60.0                      # tokens a second
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()   # client -> (tokens, when)
        self._lock = threading.Lock()

    def check(self, client: str) -> float:
        """0 if the event may go ahead (a token is spent), else seconds until one may."""
        with self._lock:
            now = self.clock()
            tokens, then = self.buckets.pop(client, (float(self.limit), now))
            tokens = min(float(self.limit), tokens + (now - then) * self.rate)
            wait = 0.0
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / self.rate
            self.buckets[client] = (tokens, now)
            while len(self.buckets) > self.MAX_CLIENTS:
                self.buckets.popitem(last=False)
            return wait


def too_many(wait: float) -> str:
    """What a limited client is told, by the API (429) and in the chat."""
    return f"Too many questions: try again in {math.ceil(wait)} s."


class RateLimit:
    """429 with Retry-After for POSTs over the limit, per client address. A POST to a
    question path (the API) counts against the ``questions`` budget. Any other POST is
    Gradio's own traffic (about ten per chat question, measured: docs/reliability.md), whose
    chat questions ``qa.serve.chat`` counts one per message; those POSTs only meet the loose
    ``others`` ceiling, which bounds cheap calls that still write (the feedback thumbs)."""

    QUESTION_PATHS = ("/api/ask",)

    def __init__(self, app, questions: Optional[SlidingWindow], others: Optional[TokenBucket] = None):
        self.app, self.questions, self.others = app, questions, others

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST":
            return await self.app(scope, receive, send)
        is_question = scope["path"].rstrip("/") in self.QUESTION_PATHS
        window = self.questions if is_question else self.others
        if window is None or window.limit <= 0:
            return await self.app(scope, receive, send)
        wait = window.check((scope.get("client") or ("unknown", 0))[0])
        if wait:
            return await send_json(send, 429, {"error": too_many(wait)}, {"Retry-After": math.ceil(wait)})
        await self.app(scope, receive, send)
