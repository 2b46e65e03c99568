"""The browser chat: a Gradio ChatInterface over ``Assistant.ask``.

Answers are HTML built by qa.serve.render (every article string escaped); the Chatbot shows
it with Markdown and LaTeX rendering off, so article text cannot turn into links or
formulas, and Gradio's sanitiser stays on as a second line of defence."""

import logging
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional, Sequence

from qa.serve import render
from qa.answer.engine import QuestionError
from qa.serve.feedback import FeedbackStore
from qa.serve.ratelimit import SlidingWindow, too_many

log = logging.getLogger("qa.serve.chat")

# The example questions offered in the empty chat and listed on /embed are data of the corpus,
# not of this code: EXAMPLES_FILE beside the articles (seeds/examples.txt), one question a line,
# read when the server starts; QA_EXAMPLES overrides it (qa.serve.server). No list written here could
# fit every corpus, so without a file none are offered.
EXAMPLES: tuple[str, ...] = ()
EXAMPLES_FILE = "examples.txt"
MAX_EXAMPLES = 8            # the empty chat shows them all as buttons: a few, not a list
INTRO = ("Every answer is a sentence quoted word for word from the news articles, "
         "with the articles it comes from. If the articles do not say, it tells you so.")
ASK_PLACEHOLDER = "Ask a question about the articles…"
from qa.request import MAX_HISTORY, MAX_QUESTION_CHARS
from qa.settings import CHAT_TURNS  # noqa: E402  (turns a chat session keeps, QA_CHAT_TURNS)
PLACEHOLDER = ('<div class="qa-placeholder"><p class="qa-placeholder-title">Ask about the news</p>'
               f"<p>{render.esc(INTRO)}</p></div>")


def _text(content: Any) -> str:
    """Plain text of a Gradio message content (a string, a part dict or a list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or "")
    if isinstance(content, (list, tuple)):
        return " ".join(_text(c) for c in content if c is not None).strip()
    return ""


def _role_content(msg: Any) -> tuple[Any, Any]:
    if isinstance(msg, dict):
        return msg.get("role"), msg.get("content")
    return getattr(msg, "role", None), getattr(msg, "content", None)


def earlier_questions(history: Optional[list]) -> list[str]:
    """The user's earlier questions, oldest first, from Gradio's messages-format history.
    A question whose reply was an error (too many questions, say) was never answered, so it
    is no context for the next one: asked again, it must not look like its own follow-up."""
    out: list[str] = []
    pending: Optional[str] = None
    for msg in history or []:
        role, content = _role_content(msg)
        if role == "user":
            if pending:
                out.append(pending)
            pending = _text(content).strip() or None
        elif role == "assistant" and pending:
            if render.ERROR_CLASS not in _text(content):
                out.append(pending)
            pending = None
    if pending:
        out.append(pending)
    return out


def last_turns(history: list, max_turns: int) -> list:
    """The last ``max_turns`` question/answer turns of a messages-format history. Cut at a
    user message, so what is kept never opens with an answer to a question it lost."""
    limit = 2 * max(1, max_turns)
    if len(history) <= limit:
        return history
    kept = history[-limit:]
    first_user = next((i for i, m in enumerate(kept) if isinstance(m, dict) and m.get("role") == "user"),
                      len(kept))
    return kept[first_user:]


@lru_cache(maxsize=1)
def bounded_chat_interface(gr) -> type:
    """gr.ChatInterface whose histories keep only the last ``max_turns`` turns.

    Gradio keeps each session's whole history in server memory, twice (two gr.State copies),
    and each of our answers renders to ~7.5 KB of HTML: a 10-minute soak grew the server by a
    third (docs/reliability.md). Every path that grows a history (a typed question, the /chat
    API, retry, an example) goes through ``_append_message_to_history``, so bounding it there
    bounds both copies and what the page shows. A private method: tests/test_server.py checks
    the bound through a real Gradio session, so a Gradio upgrade that renames it fails there."""
    class BoundedChatInterface(gr.ChatInterface):
        max_turns = CHAT_TURNS

        def _append_message_to_history(self, message, history, role="user"):
            return last_turns(super()._append_message_to_history(message, history, role),
                              self.max_turns)
    return BoundedChatInterface


def make_filters(sources: Optional[list], date_from: Optional[str], date_to: Optional[str]) -> dict:
    filters: dict = {}
    if sources:
        filters["sources"] = [s for s in sources if isinstance(s, str)]
    if date_from and str(date_from).strip():
        filters["date_from"] = str(date_from).strip()
    if date_to and str(date_to).strip():
        filters["date_to"] = str(date_to).strip()
    return filters


class ShownAnswers:
    """What each rendered message said, so a thumbs up/down can be stored as plain text.
    Bounded: old entries fall out (their feedback then keeps the message's visible text)."""

    def __init__(self, size: int = 2000):
        self.size, self._d, self._lock = size, OrderedDict(), threading.Lock()

    def put(self, markup: str, record: dict) -> None:
        with self._lock:
            self._d[markup] = record
            self._d.move_to_end(markup)
            while len(self._d) > self.size:
                self._d.popitem(last=False)

    def get(self, markup: str) -> Optional[dict]:
        with self._lock:
            return self._d.get(markup)


class ChatBackend:
    """The functions the Gradio events call; plain Python, testable without a browser.
    ``limiter`` counts questions per client (shared with the API; qa.serve.server), one per chat
    message: Gradio's own HTTP requests (about ten a question) are not questions."""

    def __init__(self, assistant, store: Optional[FeedbackStore], limiter: Optional[SlidingWindow] = None):
        self.assistant, self.store, self.limiter, self.shown = assistant, store, limiter, ShownAnswers()

    def respond(self, message: str, history: list, sources=None, date_from=None, date_to=None,
                client: Optional[str] = None) -> str:
        """The chat reply (HTML) to one message from ``client`` (an address, for the limit)."""
        wait = self.limiter.check(client or "unknown") if self.limiter else 0.0
        if wait:       # the server's own words, as the reply: visible where the user looks
            return render.error_html(too_many(wait))
        question = _text(message)
        filters = make_filters(sources, date_from, date_to)
        try:
            result = self.assistant.ask(question, history=earlier_questions(history)[-MAX_HISTORY:],
                                        filters=filters or None).to_dict()
        except QuestionError as exc:
            return render.error_html(str(exc))
        except Exception:      # never show a traceback in the page
            log.exception("ask failed")
            return render.error_html("Something went wrong while answering. Please try again.")
        markup = render.result_html(result)
        self.shown.put(markup, {"question": result["question"], "answers": render.plain_answers(result),
                                "filters": filters})
        return markup

    def feedback(self, index: Any, liked: Any, history: list) -> Optional[int]:
        """Store a rating of the assistant message at ``index``; None when not stored."""
        if self.store is None or liked is None or liked == "":
            return None
        if isinstance(index, (list, tuple)):
            index = index[0]
        if not isinstance(index, int) or not history or not 0 <= index < len(history):
            return None
        markup = _text(history[index].get("content") if isinstance(history[index], dict) else "")
        record = self.shown.get(markup)
        if record is None:
            asked = [m for m in history[:index] if isinstance(m, dict) and m.get("role") == "user"]
            record = {"question": _text(asked[-1].get("content")) if asked else "",
                      "answers": [{"text": render.strip_tags(markup), "doc_ids": []}], "filters": {}}
        up = liked is True or (isinstance(liked, str) and liked.lower() in ("like", "true", "up"))
        return self.store.add(record["question"], record["answers"], up, record["filters"])


def corpus_examples(assistant) -> tuple[str, ...]:
    """The example questions of the corpus the assistant's index was built from: each
    EXAMPLES_FILE in the folders its articles were read from (their paths as the index keeps
    them), one question a line, blank lines and "#" comments skipped, each question once.
    () when there is none or it cannot be read: the chat then offers no examples."""
    folders = dict.fromkeys(Path(a.path).parent for a in assistant.built.articles if getattr(a, "path", None))
    found: list[str] = []
    for folder in folders:
        try:
            lines = (folder / EXAMPLES_FILE).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):     # none there, or not text: no examples from it
            continue
        found += [q.strip() for q in lines if q.strip() and not q.lstrip().startswith("#")]
    return tuple(dict.fromkeys(found))[:MAX_EXAMPLES]


def publishers(assistant) -> list[str]:
    """The source filter's choices: each known publisher once (unknown, null ones left out)."""
    names = {a.source for a in assistant.built.articles if isinstance(a.source, str) and a.source.strip()}
    return sorted(names, key=str.casefold)


def _filter_inputs(gr, choices: list[str]):
    """The folded filter row: publishers (only those the index knows), from and to dates."""
    with gr.Accordion("Filter by source and date", open=False, elem_classes="qa-filters"):
        with gr.Row():
            src = gr.Dropdown(choices=choices, value=[], multiselect=True, label="Sources",
                              info="Only quote these publishers", scale=2)
            dfrom = gr.Textbox(label="From", placeholder="YYYY-MM-DD", max_lines=1, scale=1)
            dto = gr.Textbox(label="To", placeholder="YYYY-MM-DD", max_lines=1, scale=1)
    return src, dfrom, dto


def build_chat(assistant, store: Optional[FeedbackStore] = None, title: str = "Ask the articles",
               max_turns: int = CHAT_TURNS, limiter: Optional[SlidingWindow] = None,
               examples: Optional[Sequence[str]] = None):
    """The Gradio Blocks for the chat page (queue settings and mounting are the server's).
    Each session keeps its last ``max_turns`` turns (older ones leave the page and memory);
    ``limiter`` counts each message as one question of its client. No ``examples`` (None or
    empty): the corpus's own (corpus_examples)."""
    import gradio as gr

    backend = ChatBackend(assistant, store, limiter)
    choices = publishers(assistant)
    examples = tuple(examples or ()) or corpus_examples(assistant)

    # Gradio passes the request to a parameter annotated gr.Request: the client address.
    # None defaults make the filters optional in the /chat API (Gradio reads the signature).
    def answer(message: str, history: list, sources: Optional[list] = None, date_from: Optional[str] = None,
               date_to: Optional[str] = None, request: gr.Request = None) -> str:
        host = getattr(getattr(request, "client", None), "host", None)
        return backend.respond(message, history, sources, date_from, date_to, client=host)

    with gr.Blocks(title=title, fill_height=True, analytics_enabled=False) as demo:
        # gr.Markdown, not gr.HTML: gr.HTML compiles templates with eval, which the CSP forbids.
        gr.Markdown(f'<header class="qa-header"><h1>{render.esc(title)}</h1>'
                    f'<p>{render.esc(INTRO)}</p></header>', elem_classes="qa-header-wrap")
        src, dfrom, dto = _filter_inputs(gr, choices)
        chatbot = gr.Chatbot(render_markdown=False, sanitize_html=True, latex_delimiters=[],
                             feedback_options=("Like", "Dislike"), placeholder=PLACEHOLDER,
                             show_label=False, elem_classes="qa-chatbot", buttons=["copy"],
                             allow_file_downloads=False, height="60vh", min_height=320)
        textbox = gr.Textbox(placeholder=ASK_PLACEHOLDER, show_label=False,
                             max_length=MAX_QUESTION_CHARS, max_lines=6, submit_btn="Ask", stop_btn=False,
                             elem_classes="qa-question")
        chat = bounded_chat_interface(gr)(answer, chatbot=chatbot, textbox=textbox,
                         additional_inputs=[src, dfrom, dto], examples=[[q] for q in examples] or None,
                         api_name="chat", api_description="Answer a question by quoting the articles.",
                         autofocus=False, fill_height=True, flagging_mode="never")
        chat.max_turns = max(1, max_turns)

        # ChatInterface blanks the box's placeholder while it answers and never puts it
        # back; restore it whenever an answer has landed.
        chatbot.change(lambda: gr.update(placeholder=ASK_PLACEHOLDER), outputs=[textbox],
                       api_visibility="private", queue=False)

        def on_like(data: gr.LikeData, history: list) -> None:
            backend.feedback(data.index, data.liked, history)

        chatbot.like(on_like, inputs=[chatbot], outputs=None, api_visibility="private", queue=False)
    demo.backend, demo.examples = backend, examples       # for tests and the server
    return demo


def theme():
    import gradio as gr

    # System fonts only: the default theme would fetch Google Fonts (a third-party request).
    system = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"]
    mono = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"]
    return gr.themes.Base(primary_hue=gr.themes.colors.red, neutral_hue=gr.themes.colors.stone,
                          radius_size=gr.themes.sizes.radius_md, font=system, font_mono=mono)
