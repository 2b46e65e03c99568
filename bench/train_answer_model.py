"""Train the answer-selection cross-encoder (qa/answer/answer_model.py) on the tuning halves only.

    .venv/bin/python bench/train_answer_model.py --squad ../shared/data/squad/dev-v1.1.json \
        --wikiqa ../shared/data/wikiqa/WikiQA-test.tsv --out /tmp/answer-minilm --steps 2000 --minutes 45

Starts from the bundled all-MiniLM-L6-v2 weights; the classifier is a fresh linear layer on
the mean-pooled token states. Data (docs/answer-model.md), never the report halves:
  SQuAD v1.1 dev, EVEN article index: the sentence (qa.ingest.split) holding the answer start is the
      positive; per question and epoch, two random negatives (one from the same paragraph, one
      from elsewhere in the article) AND two hard ones (one of the top BM25 sentences of the
      whole even-article pool, project tokenizer; one of the top MiniLM-cosine sentences):
      what the product's retrievers put in front of the scorer.
  WikiQA test, EVEN question number: every (question, sentence) row with its label; questions
      without a correct sentence are real "about it but not answering" examples.
  seeds/questions.jsonl split "tune" (--news, optional): indexed sentences holding an
      expected phrase are positives, the other top candidates negatives.
Negatives never hold any of the question's answer texts (they would be false negatives).

The learning-rate schedule is fixed by --steps (warm-up, then linear decay to 0), and the
data order by --seed, so a run is reproducible; --minutes only stops a slow machine early
(the log and the config say so). Weights are saved as fp16 safetensors with config.json.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
# common sets the offline environment and OMP_WAIT_POLICY=PASSIVE before torch loads: with
# spinning OpenMP threads a training step was 2-9x slower whenever another process wanted
# one of the two cores (measured: 4.9-9.3 s against 0.8-3.5 s a step under load 5).
import common  # noqa: E402,F401


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


# ------------------------------------------------------------------ training
def start_model(drop: float):
    """The cross-encoder with the bundled MiniLM body and a fresh head."""
    import torch
    from safetensors.torch import load_file

    from qa.answer import answer_model as am

    base = am.bundled_tokenizer_dir()
    cfg = {"bert": am.bert_shape(json.loads((base / "config.json").read_text("utf-8"))), "dropout": drop}
    model = am.build_model(cfg)
    missing = model.load_state_dict(am.from_bert_names(load_file(str(base / "model.safetensors"))), strict=False)
    assert set(missing.missing_keys) == {"head.weight", "head.bias"} and not missing.unexpected_keys, missing
    torch.nn.init.normal_(model.head.weight, std=0.02)
    torch.nn.init.zeros_(model.head.bias)
    return model, cfg


def optimizer(model, args):
    """AdamW: the body at --lr, the fresh head at --head-lr (it must move much further);
    no weight decay on biases and LayerNorms. Word embeddings stay frozen unless asked:
    their 11.7M parameters are half the model and a third of a step's time on 2 cores."""
    import torch

    if not args.train_embeddings:
        model.word.weight.requires_grad_(False)
    groups: dict[tuple[float, float], list] = {}
    for name, prm in model.named_parameters():
        if not prm.requires_grad:
            continue
        lr = args.head_lr if name.startswith("head.") else args.lr
        wd = 0.0 if prm.ndim == 1 else 0.01
        groups.setdefault((lr, wd), []).append(prm)
    return torch.optim.AdamW([{"params": p, "lr": lr, "weight_decay": wd, "base_lr": lr}
                              for (lr, wd), p in groups.items()])


def progress(step: int, seconds: float, args) -> float:
    """Share of the run done: by steps, or by wall time when --minutes binds first. The
    shared machine's speed varies several-fold with other people's load; with progress
    counted this way the learning rate still reaches zero when the time is up."""
    by_steps = step / args.steps
    return max(by_steps, seconds / (args.minutes * 60)) if args.minutes else by_steps


def lr_factor(frac: float, warmup: float) -> float:
    """Linear warm-up over the first ``warmup`` of the run, then linear decay to 0."""
    return frac / warmup if frac < warmup else max(0.0, (1 - frac) / (1 - warmup))


def train(model, cfg: dict, tok, epochs_data, args) -> dict:
    """The loop: --steps updates (or fewer if --minutes runs out), loss logged every --log-every."""
    import torch
    import torch.nn.functional as F

    opt = optimizer(model, args)
    model.train()
    rng = random.Random(args.seed)
    t0, step, epoch, window, history, stopped = time.perf_counter(), 0, 0, [], [], "steps"
    while step < args.steps and stopped == "steps":   # epochs
        for batch in batches(epochs_data(epoch), args.batch, tok, rng):
            frac = progress(step, time.perf_counter() - t0, args)
            if frac >= 1.0:
                stopped = "steps" if step >= args.steps else "minutes"
                break
            enc = tok.encode_batch([(q, s) for q, s, _ in batch])
            ids, mask, types = (torch.tensor([getattr(e, n) for e in enc]) for n in ("ids", "attention_mask", "type_ids"))
            for g in opt.param_groups:
                g["lr"] = g["base_lr"] * lr_factor(frac, args.warmup)
            loss = F.binary_cross_entropy_with_logits(model(ids, mask, types), torch.tensor([y for *_, y in batch]))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            step += 1
            window.append(float(loss.detach()))
            if step % args.log_every == 0 or step == args.steps:
                el = time.perf_counter() - t0
                history.append({"step": step, "epoch": epoch, "loss": round(float(np.mean(window)), 4),
                                "minutes": round(el / 60, 2)})
                log(f"step {step}/{args.steps} epoch {epoch} loss {np.mean(window):.4f} "
                    f"lr x{lr_factor(frac, args.warmup):.2f} {el / 60:.1f} min ({el / step:.2f} s/step)")
                window = []
            if args.checkpoint_every and step % args.checkpoint_every == 0:
                save(model, cfg, Path(args.out) / "checkpoint", {"step": step})
                model.train()
        epoch += 1
    if stopped == "minutes":
        log(f"stopped by --minutes {args.minutes} at step {step} of {args.steps}")
    return {"steps_done": step, "epochs_started": epoch, "stopped_by": stopped,
            "train_minutes": round((time.perf_counter() - t0) / 60, 1), "loss_log": history}


def save(model, cfg: dict, out: Path, record: dict) -> str:
    """fp16 safetensors + config.json; returns the weights' sha256."""
    import torch
    from safetensors.torch import save_file

    from qa.answer.answer_model import CONFIG, MAX_LEN, WEIGHTS

    out.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().to(torch.float16).contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(out / WEIGHTS))
    digest = hashlib.sha256((out / WEIGHTS).read_bytes()).hexdigest()
    if cfg:   # the config travels with every save, checkpoints included
        full = {**cfg, "pooling": "mean", "head": [cfg["bert"]["hidden_size"], 1], "max_len": MAX_LEN,
                "dtype": "float16", "quantize": "int8", "sha256": digest, "training": record}
        (out / CONFIG).write_text(json.dumps(full, indent=2) + "\n", "utf-8")
        (out / "checksums.json").write_text(json.dumps({WEIGHTS: digest}, indent=2) + "\n", "utf-8")
    return digest


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--squad", required=True)
    p.add_argument("--wikiqa", required=True)
    p.add_argument("--news", help="optional: seeds/questions.jsonl (only its split=tune rows are read)")
    p.add_argument("--news-index", help="index of the news corpus, for --news")
    p.add_argument("--out", required=True, help="folder for model.safetensors + config.json")
    p.add_argument("--steps", type=int, default=3000, help="most updates")
    p.add_argument("--minutes", type=float, default=38.0,
                   help="wall-clock cap on the training loop (0: none; then the run is step-for-step reproducible)")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=1.5e-4)
    p.add_argument("--head-lr", type=float, default=5e-4)
    p.add_argument("--warmup", type=float, default=0.06)
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--hard-depth", type=int, default=5, help="hard negatives drawn from the top N")
    p.add_argument("--train-embeddings", action="store_true")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--log-every", type=int, default=25)
    p.add_argument("--checkpoint-every", type=int, default=0)
    p.add_argument("--limit", type=int, help="smoke runs: only the first N SQuAD questions")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)

    import torch

    from qa.answer.answer_model import load_tokenizer

    torch.set_num_threads(args.threads)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    t0 = time.perf_counter()
    pool, questions, answers = squad_even(args.squad)
    if args.limit:
        questions, answers = questions[: args.limit], answers[: args.limit]
    add_hard_negatives(pool, questions, answers, args.hard_depth, not args.quiet)
    extra = wikiqa_even(args.wikiqa)
    counts = {"squad_even_questions": len(questions), "squad_even_sentences": len(pool),
              "wikiqa_even_pairs": len(extra), "wikiqa_even_positive": int(sum(r[2] for r in extra))}
    if args.news:
        news = news_tune(Path(args.news), args.news_index or "index", 20)
        counts.update(news_tune_pairs=len(news), news_tune_positive=int(sum(r[2] for r in news)))
        extra = extra + news
    log(f"data ready in {time.perf_counter() - t0:.0f} s: {counts}")
    model, cfg = start_model(args.dropout)
    tok = load_tokenizer()

    def epochs_data(epoch: int):
        return epoch_pairs(pool, questions, extra, random.Random(args.seed * 1000 + epoch))

    counts["pairs_per_epoch"] = len(epochs_data(0))
    result = train(model, cfg, tok, epochs_data, args)
    model.eval()
    record = {"command": "bench/train_answer_model.py " + " ".join(argv if argv is not None else sys.argv[1:]),
              "seed": args.seed, "args": {k: v for k, v in vars(args).items()}, "data": counts, **result,
              "total_minutes": round((time.perf_counter() - t0) / 60, 1), "threads": args.threads,
              "machine": _machine(), "commit": common.commit()}
    digest = save(model, cfg, Path(args.out), record)
    log(f"saved {Path(args.out)} sha256 {digest}; total {record['total_minutes']} min")
    return 0


def _machine() -> str:
    import os
    import platform

    return f"{platform.machine()}, {os.cpu_count()} cores (shared), Python {platform.python_version()}"


if __name__ == "__main__":
    sys.exit(main())
