"""all-MiniLM-L6-v2 (and any sentence-transformers BERT model of the same shape) in
plain torch, so encoding does not import sentence_transformers (see ``LeanBert``)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from qa.settings import current

import numpy as np


class LeanBert:
    """A sentence-transformers BERT model (Transformer -> mean Pooling -> Normalize, the
    shape of all-MiniLM-L6-v2) run in plain torch: the same arithmetic, without importing
    sentence_transformers, which pulls in transformers, scipy.stats, sklearn and pandas —
    most of `qa ask`'s cold start (docs/benchmarks.md). Vectors equal the library's to
    ~1e-6 (tests/test_dense_index.py). QA_ENCODER=sentence-transformers turns it off."""

    @staticmethod
    def fits(path: str) -> bool:
        if current().encoder == "sentence-transformers":
            return False
        p = Path(path)
        try:
            mods = [m["type"].rsplit(".", 1)[-1] for m in json.loads((p / "modules.json").read_text("utf-8"))]
            pool = json.loads((p / "1_Pooling" / "config.json").read_text("utf-8"))
            cfg = json.loads((p / "config.json").read_text("utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            return False
        mean_only = pool.get("pooling_mode_mean_tokens") and not any(
            v for k, v in pool.items() if k.startswith("pooling_mode") and k != "pooling_mode_mean_tokens")
        return (mods == ["Transformer", "Pooling", "Normalize"] and bool(mean_only)
                and cfg.get("model_type") == "bert" and cfg.get("hidden_act") == "gelu"
                and cfg.get("position_embedding_type", "absolute") == "absolute"
                and (p / "model.safetensors").is_file() and (p / "tokenizer.json").is_file())

    def __init__(self, path: Path):
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        cfg = json.loads((path / "config.json").read_text("utf-8"))
        st = json.loads((path / "sentence_bert_config.json").read_text("utf-8"))
        self.w = load_file(str(path / "model.safetensors"))
        self.dim, self.heads = cfg["hidden_size"], cfg["num_attention_heads"]
        self.layers, self.eps = cfg["num_hidden_layers"], cfg["layer_norm_eps"]
        self.tok = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tok.enable_truncation(st.get("max_seq_length", 256))
        self.tok.enable_padding(pad_id=cfg.get("pad_token_id", 0), pad_token="[PAD]")

    def encode(self, texts: list[str], batch_size: int, progress: bool = False) -> np.ndarray:
        """Longest texts first, in batches (as sentence-transformers does), then back in order."""
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out = np.empty((len(texts), self.dim), np.float32)
        for s in range(0, len(texts), batch_size):
            rows = order[s:s + batch_size]
            out[rows] = self._forward([texts[i] for i in rows])
            if progress:
                print(f"\rencoded {min(s + batch_size, len(texts))}/{len(texts)}", end="", file=sys.stderr)
        if progress:
            print(file=sys.stderr)
        return out

    def _forward(self, texts: list[str]) -> np.ndarray:
        import torch
        import torch.nn.functional as F

        enc = self.tok.encode_batch(texts)
        ids = torch.tensor([e.ids for e in enc])
        mask = torch.tensor([e.attention_mask for e in enc])
        types = torch.tensor([e.type_ids for e in enc])
        w, d, (b, t) = self.w, self.dim, ids.shape
        hd = d // self.heads

        def norm(x, name):
            return F.layer_norm(x, (d,), w[name + ".weight"], w[name + ".bias"], self.eps)

        def lin(x, name):
            return F.linear(x, w[name + ".weight"], w[name + ".bias"])

        def heads(x):
            return x.view(b, t, self.heads, hd).transpose(1, 2)

        with torch.inference_mode():
            x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:t]
                 + w["embeddings.token_type_embeddings.weight"][types])
            x = norm(x, "embeddings.LayerNorm")
            bias = (1.0 - mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
            for i in range(self.layers):
                p = f"encoder.layer.{i}."
                q, k, v = (heads(lin(x, p + f"attention.self.{n}")) for n in ("query", "key", "value"))
                a = F.scaled_dot_product_attention(q, k, v, attn_mask=bias).transpose(1, 2).reshape(b, t, d)
                x = norm(lin(a, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
                h = F.gelu(lin(x, p + "intermediate.dense"))
                x = norm(lin(h, p + "output.dense") + x, p + "output.LayerNorm")
            m = mask.unsqueeze(-1).to(x.dtype)
            pooled = (x * m).sum(1) / m.sum(1).clamp(min=1e-9)
            return F.normalize(pooled, p=2, dim=1).numpy()
