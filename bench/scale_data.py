"""Corpus and vectors for bench/scale.py.

Text: SQuAD v1.1 dev paragraphs (read from the shared folder, never copied into the
repository). Round 0 uses every paragraph as it is; each later round repeats them with
about a third of the words swapped for words drawn from a Zipf-distributed synthetic
vocabulary, so the corpus grows to any size with a realistic long-tailed vocabulary and
no two copies of a sentence alike.

Vectors: at 10k sentences the real model encodes everything. Above that, encoding would
take hours on 2 cores, so ``SyntheticEncoder`` stands in for the corpus side: each
sentence gets a real MiniLM sentence vector (from the 10k run) plus Gaussian noise,
renormalised — clustered, unit length, 384-d, like the real ones. Questions are always
encoded by the real model.
"""
from __future__ import annotations

import json
import random
import re
import zlib
from pathlib import Path

import numpy as np

_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")
_SYLLABLES = ("ka ro mi tu sel van dor pe li quo rra nth bel sti gor ax um ev ol ith "
              "mar zen fo clu dra pri hol wes tan ber cin oth ray lum nok pis ver gam").split()
SOURCES = ("Daily Ledger", "Morning Post", "Evening Standard", "City Herald", "Northern Echo")


def load_squad(path: str | Path) -> tuple[list[tuple[str, str]], list[str]]:
    """(title, paragraph) pairs and the distinct questions, in file order."""
    data = json.loads(Path(path).read_text("utf-8"))["data"]
    paras = [(a["title"].replace("_", " "), p["context"]) for a in data for p in a["paragraphs"]]
    questions = list(dict.fromkeys(q["question"].strip() for a in data for p in a["paragraphs"]
                                   for q in p["qas"]))
    return paras, questions


def zipf_words(n_vocab: int = 60_000, n_draws: int = 4_000_000, a: float = 1.1, seed: int = 0) -> list[str]:
    """A stream of pseudo-words whose frequencies follow Zipf's law."""
    rng = np.random.default_rng(seed)
    syl = np.array(_SYLLABLES)
    k = len(syl)
    vocab = ["".join(syl[[(i // k ** j) % k for j in range(3)]]) + ("" if i < k ** 3 else str(i))
             for i in range(n_vocab)]
    ranks = rng.zipf(a, n_draws)
    ranks = ranks[ranks <= n_vocab] - 1
    return [vocab[r] for r in ranks]


def _vary(sentence: str, rnd: random.Random, words: list[str], pos: list[int], share: float = 0.33) -> str:
    toks = sentence.split(" ")
    for i in range(1, len(toks)):
        if rnd.random() < share and toks[i][-1:].isalnum():
            toks[i] = words[pos[0] % len(words)]
            pos[0] += 1
    return " ".join(toks)


def write_corpus(squad_path: str | Path, n_sentences: int, out: Path, seed: int = 0) -> dict:
    """Write about ``n_sentences`` sentences as articles (one per paragraph) to a JSONL
    file ``qa index`` reads. Returns counts."""
    paras, _ = load_squad(squad_path)
    split = [_SPLIT.split(c) for _, c in paras]
    rnd, words, pos = random.Random(seed), (zipf_words() if n_sentences > 12_000 else []), [0]
    n = arts = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        r = 0
        while n < n_sentences:
            for (title, _), sents in zip(paras, split):
                if n >= n_sentences:
                    break
                text = " ".join(sents if r == 0 else (_vary(s, rnd, words, pos) for s in sents))
                month, day = 1 + arts % 12, 1 + arts % 28
                rec = {"id": f"a{arts:07d}", "title": f"{title} ({r})" if r else title, "text": text,
                       "source": SOURCES[arts % len(SOURCES)], "date": f"20{10 + r % 15}-{month:02d}-{day:02d}"}
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
                n += len(sents)
                arts += 1
            r += 1
    return {"articles": arts, "sentences_estimate": n, "rounds": r}


class SyntheticEncoder:
    """Stands in for the model on the corpus side at 100k+ sentences (see module doc)."""

    def __init__(self, base: np.ndarray, name: str, noise: float = 0.032, seed: int = 0):
        self.base = np.asarray(base, np.float32)
        self.name = name
        self.dim = self.base.shape[1]
        self.noise = noise     # ~0.62 noise norm in 384-d: cosine ~0.85 to the base vector
        self.seed = seed

    def warm_up(self) -> "SyntheticEncoder":
        return self

    def encode(self, texts, progress: bool = False) -> np.ndarray:
        rng = np.random.default_rng(self.seed + len(texts))
        idx = np.fromiter((zlib.crc32(t.encode("utf-8")) for t in texts), np.int64, len(texts)) % len(self.base)
        out = np.empty((len(texts), self.dim), np.float32)
        for s in range(0, len(texts), 65536):
            v = self.base[idx[s:s + 65536]] + self.noise * rng.standard_normal((len(idx[s:s + 65536]), self.dim),
                                                                                 dtype=np.float32)
            out[s:s + 65536] = v / np.linalg.norm(v, axis=1, keepdims=True)
        return out
