"""One process serving the chat (Gradio, at /), the HTTP API (/api/ask, /api/health,
/docs), the embeddable widget (/widget.js, /widget.css, /embed), all behind the guards
in qa.serve.webguard (origin allowlist, body size, security headers) and qa.serve.ratelimit."""
from __future__ import annotations

import asyncio
import html
import logging
import sys
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Optional

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from qa.serve import assets
from qa import __version__
from qa.serve.apischema import ERRORS, AskRequest, AskResponse
from qa.serve.chat import corpus_examples
from qa.answer.engine import QuestionError
from qa.serve.ratelimit import RateLimit, SlidingWindow, TokenBucket
from qa.settings import ServerSettings, current
from qa.serve.webguard import BodyLimit, CORSGuard, OriginPolicy, SecurityHeaders

log = logging.getLogger("qa.serve.server")

# Gradio's own POSTs (not /api/ask) may come this many times as often as questions: the chat
# page sends 10 per question (measured in Chromium, 8 run/predict + 2 queue/join), so twice
# that leaves a user at the question limit well under this ceiling.
GRADIO_POSTS_PER_QUESTION = 20


# The server's limits (QA_ALLOWED_ORIGINS, QA_RATE_LIMIT, ...) are read with every other
# setting in qa/settings.py; ``Settings()`` here is those limits' plain defaults.
Settings = ServerSettings


def _examples(settings: ServerSettings, assistant) -> tuple[str, ...]:
    """QA_EXAMPLES, else the corpus's own: examples.txt beside the indexed articles."""
    return settings.examples or corpus_examples(assistant)


class Busy(Exception):
    pass


class AskPool:
    """Runs ask() on a few threads; beyond ``workers + queue`` requests in flight it
    refuses at once (503) instead of letting requests pile up."""

    def __init__(self, workers: int, queue: int):
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="qa-ask")
        self.capacity, self.in_flight = workers + queue, 0

    async def run(self, fn, *args, **kwargs):
        if self.in_flight >= self.capacity:      # only touched on the event loop: no lock needed
            raise Busy()
        self.in_flight += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self.executor, partial(fn, *args, **kwargs))
        finally:
            self.in_flight -= 1


async def _http_error(request: Request, exc):
    """API routes answer every error as {"error": ...} (a body that is not UTF-8, JSON
    nested too deep, ...); other routes (Gradio's) keep FastAPI's own shape."""
    from fastapi.exception_handlers import http_exception_handler

    if not request.url.path.startswith("/api/"):
        return await http_exception_handler(request, exc)
    detail = exc.detail if isinstance(exc.detail, str) else "invalid request"
    if "parsing the body" in detail:
        detail = "the body is not valid JSON"
    return JSONResponse({"error": detail}, exc.status_code, headers=getattr(exc, "headers", None))


def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    ctype = request.headers.get("content-type", "")
    if request.method == "POST" and "json" not in ctype.split(";")[0].lower():
        return JSONResponse({"error": "send the question as JSON (Content-Type: application/json)"}, 415)
    if any(e.get("type") == "json_invalid" for e in errors):
        return JSONResponse({"error": "the body is not valid JSON"}, 400)
    first = errors[0] if errors else {}
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
    msg = first.get("msg", "invalid request")
    if first.get("type") == "missing":
        msg = "required field is missing"
    elif first.get("type") == "extra_forbidden":
        msg = "unknown field"
    return JSONResponse({"error": f"{where}: {msg}"}, 422)


def _add_api(app: FastAPI, assistant, settings: Settings, pool: AskPool) -> None:
    @app.post("/api/ask", response_model=AskResponse, responses=ERRORS, tags=["api"],
              summary="Answer a question by quoting the articles")
    async def api_ask(body: AskRequest, request: Request):
        if "json" not in request.headers.get("content-type", "").split(";")[0].lower():
            return JSONResponse({"error": "send the question as JSON (Content-Type: application/json)"}, 415)
        filters = body.filters.model_dump(exclude_none=True) if body.filters else None
        try:
            result = await pool.run(assistant.ask, body.question, history=body.history, k=body.k, filters=filters)
        except Busy:
            return JSONResponse({"error": "busy: too many questions at once, try again shortly"}, 503,
                                headers={"Retry-After": str(settings.retry_after_busy)})
        except QuestionError as exc:
            return JSONResponse({"error": str(exc)}, 422)
        return JSONResponse(result.to_dict())

    @app.get("/api/health", tags=["api"], summary="Index, model, version and memory")
    async def api_health():
        info = dict(assistant.health())
        info["index_loaded"] = getattr(assistant, "_built", None) is not None
        info["version"] = __version__
        info["rss_mib"] = rss_mib()
        return info


def rss_mib() -> Optional[float]:
    """This process's resident memory in MiB (Linux /proc), None elsewhere: the figure to
    watch on a long-running server (docs/reliability.md, soak)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError):
        pass
    return None


def _add_static(app: FastAPI, settings: Settings) -> None:
    def asset(name: str) -> Response:
        return Response(assets.read_asset(name), media_type=assets.media_type(name),
                        headers={"Cache-Control": "public, max-age=300"})

    @app.get("/widget.js", include_in_schema=False)
    async def widget_js():
        return asset("widget.js")

    @app.get("/widget.css", include_in_schema=False)
    async def widget_css():
        return asset("widget.css")

    @app.get("/embed", include_in_schema=False)
    async def embed(request: Request):
        base = str(request.base_url).rstrip("/")
        page = assets.read_asset("embed.html").decode("utf-8")
        page = page.replace("{{BASE}}", html.escape(base, quote=True))
        page = page.replace("{{TITLE}}", html.escape(settings.title, quote=True))
        page = page.replace("{{EXAMPLES}}", "".join(f"<li>{html.escape(q)}</li>" for q in app.state.examples))
        return Response(page, media_type="text/html; charset=utf-8")


def create_app(assistant, settings: Optional[Settings] = None):
    """The FastAPI app: API and widget routes, the Gradio chat at /, every guard."""
    from qa.serve.chat import build_chat
    from qa.serve.feedback import FeedbackStore

    settings = settings or current().server
    policy = OriginPolicy(settings.allowed_origins)
    app = FastAPI(title="Ask the articles", version=__version__,
                  description="Extractive question answering: every answer is a verbatim, cited sentence.")
    app.add_exception_handler(RequestValidationError, _validation_error)
    from starlette.exceptions import HTTPException as StarletteHTTPException

    app.add_exception_handler(StarletteHTTPException, _http_error)
    pool = AskPool(settings.api_workers, settings.api_queue)
    app.state.pool, app.state.settings, app.state.assistant = pool, settings, assistant
    app.state.examples = _examples(settings, assistant)      # read once, at start
    _add_api(app, assistant, settings, pool)
    _add_static(app, settings)

    store = FeedbackStore(settings.data_dir / "feedback.sqlite3")
    limit = max(0, settings.rate_limit_per_minute)
    questions = SlidingWindow(limit) if limit else None       # one budget for chat and API
    others = TokenBucket(limit * GRADIO_POSTS_PER_QUESTION) if limit else None
    demo = build_chat(assistant, store, settings.title, settings.chat_turns, limiter=questions,
                      examples=app.state.examples)
    demo.queue(default_concurrency_limit=settings.chat_concurrency, max_size=settings.chat_queue_size)
    app.state.feedback, app.state.chat = store, demo
    _mount_chat(app, demo, settings)
    app.state.questions = questions
    _add_guards(app, policy, settings, questions, others)
    return app


def _mount_chat(app: FastAPI, demo, settings: Settings) -> None:
    import gradio as gr
    from starlette.middleware.cors import CORSMiddleware

    from qa.serve.chat import theme

    # Gradio adds its own CORS headers unless the parent app registers Starlette's
    # CORSMiddleware; this inert one (no origins, nothing exposed) switches that off so
    # CORSGuard alone decides. CORSGuard answers every preflight before it is reached.
    app.add_middleware(CORSMiddleware, allow_origins=(), allow_methods=("GET",))
    index_dir = getattr(demo.backend.assistant, "index_dir", None)
    blocked = [str(p.resolve()) for p in (settings.data_dir, index_dir, Path(__file__).resolve().parents[1]) if p]
    # Gradio keeps every chat session's history in memory, up to this many sessions (its
    # default is 10,000); the oldest are dropped first. A 10-minute soak grew the server by
    # a third, mostly chat history (docs/reliability.md): this bounds it.
    demo.state_session_capacity = max(1, settings.chat_sessions)
    gr.mount_gradio_app(app, demo, path="/", footer_links=[], run_history=False, ssr_mode=False,
                        mcp_server=False, pwa=False, show_error=False, max_file_size="1kb",
                        blocked_paths=blocked, theme=theme(), css_paths=[assets.asset_path("chat.css")])


def _add_guards(app: FastAPI, policy: OriginPolicy, settings: Settings,
                questions: Optional[SlidingWindow], others: Optional[TokenBucket]) -> None:
    # add_middleware puts each new one outside the previous: the last added runs first.
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RateLimit, questions=questions, others=others)
    app.add_middleware(CORSGuard, policy=policy)
    app.add_middleware(SecurityHeaders, policy=policy)


def serve(host: str = "127.0.0.1", port: int = 7860, index_dir=None, model: Optional[str] = None,
          settings: Optional[Settings] = None) -> None:
    """Load the index and warm the model first, then listen: the server never answers
    /api/health before it can answer questions."""
    import uvicorn

    from qa.answer.engine import Assistant

    settings = settings or current().server
    print(f"qa: loading the index at {index_dir or 'index'} and the model ...", file=sys.stderr)
    assistant = Assistant(index_dir, model=model).warm_up()
    import torch

    # The server answers several questions at once, one per worker thread: one torch
    # thread per encode beats two threads fighting over two shared cores (a one-question
    # encode measured 23-43 ms with one thread, 0.3-2.2 s with two, under load).
    torch.set_num_threads(current().torch_threads or 1)
    app = create_app(assistant, settings)
    print(f"qa: chat on http://{host}:{port}/  API http://{host}:{port}/docs  "
          f"widget demo http://{host}:{port}/embed", file=sys.stderr)
    uvicorn.run(app, host=host, port=port, log_level="info", timeout_keep_alive=5,
                limit_concurrency=256, timeout_graceful_shutdown=5)
