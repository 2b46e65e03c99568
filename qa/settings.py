"""Every setting of the product, read from the environment in this one place.

``Settings.from_env()`` reads the ``QA_*`` variables once; ``current()`` is that reading
for this process (made on first use, then fixed). Library code takes its defaults from
``current()`` or from a Settings object handed down; CLI flags override them
(``dataclasses.replace``). No other module reads ``os.environ``, and nothing in the library
writes it: ``prepare_process`` sets the third-party variables (Gradio, Hugging Face,
OpenMP) and is called by the ``qa`` command alone.

| variable | field | default |
|---|---|---|
| QA_INDEX | index | index |
| QA_CORPUS | corpus | seeds |
| QA_MODEL | model | the bundled all-MiniLM-L6-v2 |
| QA_ENCODER | encoder | lean (``sentence-transformers`` for the library path) |
| QA_TORCH_THREADS | torch_threads | torch's own (``qa serve``: 1) |
| QA_DENSE_APPROX_AT | dense_approx_at | 50000 |
| QA_ANSWER_MODEL | answer_model | models/answer-minilm (``off``: no answer model) |
| QA_RETRIEVER | retriever | inprocess (or ``package.module:factory``) |
| QA_MILVUS_URI / QA_MILVUS_TOKEN | milvus_uri / milvus_token | none |
| QA_HOST / QA_PORT | host / port | 127.0.0.1 / 7860 |
| QA_FAULT_POINT | fault_point | none (tests: kill ``qa index`` at a write step) |
| server variables | server (``ServerSettings``) | see below |
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Optional

DEFAULT_ORIGINS = ("http://localhost:*", "https://localhost:*", "http://127.0.0.1:*", "https://127.0.0.1:*")
CHAT_TURNS = 25


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    try:
        return int(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None


def _opt_int(env: Mapping[str, str], name: str) -> Optional[int]:
    raw = env.get(name, "").strip()
    return _int(env, name, 0) or None if raw else None


def _str(env: Mapping[str, str], name: str) -> Optional[str]:
    return env.get(name, "").strip() or None


def _list(env: Mapping[str, str], name: str, sep: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in env.get(name, "").split(sep) if x.strip())


@dataclass
class ServerSettings:
    """Server limits (qa/serve/server.py); plain defaults here, the environment's in from_env."""
    allowed_origins: tuple[str, ...] = DEFAULT_ORIGINS                 # QA_ALLOWED_ORIGINS (comma-separated)
    max_body_bytes: int = 64 * 1024                                    # QA_MAX_BODY_BYTES
    rate_limit_per_minute: int = 60      # QA_RATE_LIMIT: questions per client a minute, chat and API (0: off)
    api_workers: int = 2                                               # QA_API_WORKERS
    api_queue: int = 8                                                 # QA_API_QUEUE: waiting beyond workers
    chat_concurrency: int = 2                                          # QA_CHAT_CONCURRENCY
    chat_queue_size: int = 16                                          # QA_CHAT_QUEUE
    chat_sessions: int = 1000                                          # QA_CHAT_SESSIONS
    chat_turns: int = CHAT_TURNS                                       # QA_CHAT_TURNS: kept per session
    data_dir: Path = Path("data")                                      # QA_DATA_DIR
    title: str = "Ask the articles"                                    # QA_TITLE
    examples: Optional[tuple[str, ...]] = None   # QA_EXAMPLES ("|"-separated); None: the corpus's own
    retry_after_busy: int = 2

    def __post_init__(self):
        self.allowed_origins = tuple(self.allowed_origins)
        self.data_dir = Path(self.data_dir)
        if self.examples is not None:
            self.examples = tuple(self.examples)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "ServerSettings":
        env = os.environ if env is None else env
        d = cls()
        return cls(
            allowed_origins=_list(env, "QA_ALLOWED_ORIGINS", ",") or d.allowed_origins,
            max_body_bytes=_int(env, "QA_MAX_BODY_BYTES", d.max_body_bytes),
            rate_limit_per_minute=_int(env, "QA_RATE_LIMIT", d.rate_limit_per_minute),
            api_workers=_int(env, "QA_API_WORKERS", d.api_workers),
            api_queue=_int(env, "QA_API_QUEUE", d.api_queue),
            chat_concurrency=_int(env, "QA_CHAT_CONCURRENCY", d.chat_concurrency),
            chat_queue_size=_int(env, "QA_CHAT_QUEUE", d.chat_queue_size),
            chat_sessions=_int(env, "QA_CHAT_SESSIONS", d.chat_sessions),
            chat_turns=_int(env, "QA_CHAT_TURNS", d.chat_turns),
            data_dir=Path(_str(env, "QA_DATA_DIR") or d.data_dir),
            title=_str(env, "QA_TITLE") or d.title,
            examples=_list(env, "QA_EXAMPLES", "|") or None,
        )


@dataclass(frozen=True)
class Settings:
    index: Path = Path("index")
    corpus: str = "seeds"
    model: Optional[str] = None
    encoder: str = "lean"
    torch_threads: Optional[int] = None
    dense_approx_at: int = 50_000
    answer_model: Optional[str] = None
    retriever: Optional[str] = None
    milvus_uri: Optional[str] = None
    milvus_token: Optional[str] = None
    host: str = "127.0.0.1"
    port: int = 7860
    fault_point: Optional[str] = None
    server: ServerSettings = field(default_factory=ServerSettings)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        """The settings the environment ``env`` (default: this process's) asks for; a
        malformed number is a ValueError naming the variable."""
        env = os.environ if env is None else env
        d = cls()
        return cls(
            index=Path(_str(env, "QA_INDEX") or d.index),
            corpus=_str(env, "QA_CORPUS") or d.corpus,
            model=_str(env, "QA_MODEL"),
            encoder=_str(env, "QA_ENCODER") or d.encoder,
            torch_threads=_opt_int(env, "QA_TORCH_THREADS"),
            dense_approx_at=_int(env, "QA_DENSE_APPROX_AT", d.dense_approx_at),
            answer_model=_str(env, "QA_ANSWER_MODEL"),
            retriever=_str(env, "QA_RETRIEVER"),
            milvus_uri=_str(env, "QA_MILVUS_URI"),
            milvus_token=_str(env, "QA_MILVUS_TOKEN"),
            host=_str(env, "QA_HOST") or d.host,
            port=_int(env, "QA_PORT", d.port),
            fault_point=_str(env, "QA_FAULT_POINT"),
            server=ServerSettings.from_env(env),
        )

    def names(self) -> list[str]:
        return [f.name for f in fields(self)]


@lru_cache(maxsize=1)
def current() -> Settings:
    """This process's settings, read from its environment once, on first use."""
    return Settings.from_env()


# Third-party libraries read these from the environment themselves.
PROCESS_DEFAULTS = {
    "GRADIO_ANALYTICS_ENABLED": "False",      # no analytics calls from the chat
    "HF_HUB_OFFLINE": "1",                    # a hub name would retry the unreachable hub ~60 s
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "OMP_WAIT_POLICY": "PASSIVE",             # idle OpenMP threads must not spin on shared cores
}


def prepare_process(gradio_temp: Path | None = None) -> None:
    """Set the third-party variables above (where unset) for this process. Called by the
    ``qa`` command only: the library never changes a caller's environment."""
    for name, value in PROCESS_DEFAULTS.items():
        os.environ.setdefault(name, value)
    if gradio_temp is not None:
        os.environ.setdefault("GRADIO_TEMP_DIR", str(Path(gradio_temp).resolve()))
