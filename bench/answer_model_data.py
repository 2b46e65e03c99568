"""Training data for the answer-selection model (bench/train_answer_model.py): tuning halves only.

SQuAD v1.1 dev, EVEN article index: the sentence (qa.ingest.split) holding the answer start is
the positive; per question and epoch, two random negatives (one from the same paragraph, one
from elsewhere in the article) AND two hard ones (one of the top BM25 sentences of the whole
even-article pool, project tokenizer; one of the top MiniLM-cosine sentences). WikiQA test,
EVEN question number: every row with its label. The news tune half only on request.
Negatives never hold any of the question's answer texts (they would be false negatives).
"""
from __future__ import annotations

import csv
import json
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


@dataclass
class SquadQuestion:
    text: str
    sent: int                     # index of the positive sentence in the pool
    para: list[int]               # other sentences of its paragraph (negatives allowed)
    article: list[int]            # sentences of its article outside the paragraph
    hard_bm25: list[int] = field(default_factory=list)
    hard_dense: list[int] = field(default_factory=list)


# ------------------------------------------------------------------ data
def squad_even(path: str) -> tuple[list[str], list[SquadQuestion], list[list[str]]]:
    """(sentence pool of the even articles, questions, answer texts per question)."""
    from qa.ingest.split import is_answerable_unit, sentences

    data = json.loads(Path(path).read_text("utf-8"))["data"]
    pool: list[str] = []
    questions: list[SquadQuestion] = []
    answers: list[list[str]] = []
    for ai, art in enumerate(data):
        if ai % 2:
            continue                                   # odd articles are the report half
        spans_by_para = []
        first = len(pool)
        for para in art["paragraphs"]:
            ctx = para["context"]
            spans = sentences(ctx, 0, len(ctx))
            spans_by_para.append((len(pool), spans))
            pool.extend(ctx[s:e] for s, e in spans)
        art_rows = range(first, len(pool))
        for para, (base, spans) in zip(art["paragraphs"], spans_by_para):
            for qa in para["qas"]:
                texts = sorted({a["text"].strip() for a in qa["answers"] if a["text"].strip()})
                starts = [int(a["answer_start"]) for a in qa["answers"]]
                gold = [base + i for i, (s, e) in enumerate(spans) if s <= starts[0] < e]
                if not gold:
                    continue
                bad = {base + i for i, (s, e) in enumerate(spans) if any(s <= x < e for x in starts)}
                ok = lambda r: r not in bad and is_answerable_unit(pool[r]) and not _holds(pool[r], texts)  # noqa: E731
                mine = set(range(base, base + len(spans)))
                questions.append(SquadQuestion(
                    qa["question"].strip(), gold[0], [r for r in sorted(mine) if ok(r)],
                    [r for r in art_rows if r not in mine and ok(r)]))
                answers.append(texts)
    return pool, questions, answers


def _holds(sentence: str, answers: list[str]) -> bool:
    low = sentence.casefold()
    return any(a.casefold() in low for a in answers)


def add_hard_negatives(pool: list[str], questions: list[SquadQuestion], answers: list[list[str]],
                       depth: int, progress: bool) -> None:
    """Top BM25 (project tokenizer) and top MiniLM-cosine sentences of the pool per question,
    minus the gold sentence and any sentence holding an answer text."""
    from qa.index.bm25 import BM25Index, top_k
    from qa.index.encoder import Encoder
    from qa.ingest.split import is_answerable_unit
    from qa.ingest.textnorm import Tokenizer

    tok = Tokenizer()
    bm25 = BM25Index.build(tok(s) for s in pool)
    enc = Encoder().warm_up()
    t = time.perf_counter()
    vecs = enc.encode(pool, progress=progress)
    qvecs = enc.encode([q.text for q in questions], progress=progress)
    log(f"encoded {len(pool)} sentences and {len(questions)} questions in {time.perf_counter() - t:.0f} s")
    usable = np.array([is_answerable_unit(s) for s in pool])
    for q, texts, qv in zip(questions, answers, qvecs):
        ok = lambda r: usable[r] and r != q.sent and not _holds(pool[r], texts)  # noqa: E731
        q.hard_bm25 = [int(r) for r in top_k(bm25.get_scores(tok(q.text)), 4 * depth)[0] if ok(r)][:depth]
        cos = vecs @ qv
        q.hard_dense = [int(r) for r in np.argsort(-cos, kind="stable")[: 4 * depth] if ok(r)][:depth]


def wikiqa_even(path: str) -> list[tuple[str, str, float]]:
    """(question, sentence, label) rows of the even-numbered WikiQA questions."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [(r["Question"].strip(), r["Sentence"].strip(), float(r["Label"]))
            for r in rows if int(r["QuestionID"][1:]) % 2 == 0]


def news_tune(questions_path: Path, index_dir: str, depth: int) -> list[tuple[str, str, float]]:
    """Pairs from the news question set's tune half (optional): the engine's own top
    candidates, labelled by whether they hold an expected phrase."""
    from qa.answer.engine import Assistant
    from qa.ingest.textnorm import fold

    rows = [json.loads(x) for x in questions_path.read_text("utf-8").splitlines() if x.strip()]
    rows = [r for r in rows if r.get("split") == "tune"]
    assistant = Assistant(index_dir)
    out = []
    for r in rows:
        ranked, _ = assistant.rank(r["question"], r.get("history") or [])   # best first
        expected = [fold(p) for p in r.get("expected") or []] if r.get("answerable", True) else []
        for row in list(ranked)[:depth]:
            text = assistant.sentence_text(int(row))
            label = float(any(p in fold(text) for p in expected))   # unanswerable: all negative
            out.append((r["question"], text, label))
    return out


def epoch_pairs(pool: list[str], questions: list[SquadQuestion], extra: list[tuple[str, str, float]],
                rng: random.Random) -> list[tuple[str, str, float]]:
    """One epoch: per SQuAD question 1 positive, 2 random and 2 hard negatives (fresh draws
    every epoch), plus every extra row; shuffled."""
    out = list(extra)
    for q in questions:
        out.append((q.text, pool[q.sent], 1.0))
        picks = []
        for group in (q.para, q.article, q.hard_bm25, q.hard_dense):
            left = [r for r in group if r not in picks]
            if left:
                picks.append(rng.choice(left))
        out.extend((q.text, pool[r], 0.0) for r in picks)
    rng.shuffle(out)
    return out


def batches(pairs: list, size: int, tok, rng: random.Random) -> list[list]:
    """Batches of similar length (less padding: ~1.5x faster on CPU), in random order."""
    lens = [len(x) for x in tok.encode_batch([(q, s) for q, s, _ in pairs])]
    out = []
    for c in range(0, len(pairs), size * 50):
        chunk = sorted(range(c, min(c + size * 50, len(pairs))), key=lambda i: lens[i])
        out.extend([pairs[i] for i in chunk[b:b + size]] for b in range(0, len(chunk), size))
    rng.shuffle(out)
    return out
