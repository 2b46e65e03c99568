"""Train the answer-selection cross-encoder (qa/answer/answer_model.py) on the tuning halves only.

    .venv/bin/python bench/train_answer_model.py --squad ../shared/data/squad/dev-v1.1.json \
        --wikiqa ../shared/data/wikiqa/WikiQA-test.tsv --out /tmp/answer-minilm --steps 3000 --minutes 42

Starts from the bundled all-MiniLM-L6-v2 weights; the classifier is a fresh linear layer on
the mean-pooled token states. Data: bench/answer_model_data.py (SQuAD even articles with
random and hard negatives mixed, WikiQA even questions; never a report half).

The learning rate warms up, then decays linearly to 0 over the run, where the run's progress
is max(step / --steps, elapsed / --minutes): on a loaded shared machine the time budget binds
first and the decay still completes. Data order and negatives follow --seed; with
--minutes 0 only --steps counts and a run is repeatable step for step. Weights are saved as
fp16 safetensors with config.json (architecture, arguments, data counts, loss log) and
checksums.json (sha256).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
# common sets the offline environment and OMP_WAIT_POLICY=PASSIVE before torch loads: with
# spinning OpenMP threads a training step was 2-9x slower whenever another process wanted
# one of the two cores (measured: 4.9-9.3 s against 0.8-3.5 s a step under load 5).
import common  # noqa: E402,F401
from answer_model_data import (add_hard_negatives, batches, epoch_pairs, log, news_tune,  # noqa: E402
                               squad_even, wikiqa_even)


# ------------------------------------------------------------------ training
def start_model(drop: float, layers: int = 0):
    """The cross-encoder with the bundled MiniLM body and a fresh head. ``layers`` (a
    smaller student): keep that many of the body's layers, spread evenly from the first to
    the last, as DistilBERT-style students start."""
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
    full = cfg["bert"]["num_hidden_layers"]
    if 0 < layers < full:
        keep = sorted({round(i * (full - 1) / max(1, layers - 1)) for i in range(layers)})
        model.layers = torch.nn.ModuleList(model.layers[i] for i in keep)
        cfg["bert"]["num_hidden_layers"] = len(keep)
        cfg["kept_layers"] = keep
    return model, cfg


def teacher_model(path: str | None):
    """The model a student learns from (fp32, eval mode), or None."""
    if not path:
        return None
    from qa.answer.answer_model import AnswerScorer

    return AnswerScorer(path, quantize=False).module


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


def train(model, cfg: dict, tok, epochs_data, args, teacher=None) -> dict:
    """The loop: --steps updates (or fewer if --minutes runs out), loss logged every --log-every.
    With a teacher, the target is the mean of the label and the teacher's probability."""
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
            target = torch.tensor([y for *_, y in batch])
            if teacher is not None:
                with torch.inference_mode():
                    soft = torch.sigmoid(teacher(ids, mask, types))
                target = 0.5 * target + 0.5 * soft.clone()
            loss = F.binary_cross_entropy_with_logits(model(ids, mask, types), target)
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


def parse_args(argv: list[str] | None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--squad", required=True)
    p.add_argument("--wikiqa", required=True)
    p.add_argument("--news", help="optional: seeds/questions.jsonl (only its split=tune rows are read)")
    p.add_argument("--news-index", help="index of the news corpus, for --news")
    p.add_argument("--news-repeat", type=int, default=1,
                   help="with --news: each news pair this many times an epoch (the tune half is small)")
    p.add_argument("--out", required=True, help="folder for model.safetensors + config.json")
    p.add_argument("--steps", type=int, default=3000, help="most updates")
    p.add_argument("--minutes", type=float, default=42.0,
                   help="wall-clock budget of the training loop (0: none; then the run is step-for-step repeatable)")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=1.5e-4)
    p.add_argument("--head-lr", type=float, default=5e-4)
    p.add_argument("--warmup", type=float, default=0.06)
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--hard-depth", type=int, default=5, help="hard negatives drawn from the top N")
    p.add_argument("--train-embeddings", action="store_true")
    p.add_argument("--layers", type=int, default=0, help="a smaller student: keep this many body layers")
    p.add_argument("--teacher", help="a trained model folder whose probabilities the student also learns")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--log-every", type=int, default=25)
    p.add_argument("--checkpoint-every", type=int, default=0)
    p.add_argument("--limit", type=int, help="smoke runs: only the first N SQuAD questions")
    p.add_argument("--quiet", action="store_true")
    return p.parse_args(argv)


def build_data(args):
    """(epochs_data(epoch) -> shuffled pairs, counts for the model card)."""
    pool, questions, answers = squad_even(args.squad)
    if args.limit:
        questions, answers = questions[: args.limit], answers[: args.limit]
    add_hard_negatives(pool, questions, answers, args.hard_depth, not args.quiet)
    extra = wikiqa_even(args.wikiqa)
    counts = {"squad_even_questions": len(questions), "squad_even_sentences": len(pool),
              "wikiqa_even_pairs": len(extra), "wikiqa_even_positive": int(sum(r[2] for r in extra))}
    if args.news:
        news = news_tune(Path(args.news), args.news_index or "index", 20)
        counts.update(news_tune_pairs=len(news), news_tune_positive=int(sum(r[2] for r in news)),
                      news_repeat=args.news_repeat)
        extra = extra + news * max(1, args.news_repeat)

    def epochs_data(epoch: int):
        return epoch_pairs(pool, questions, extra, random.Random(args.seed * 1000 + epoch))

    counts["pairs_per_epoch"] = len(epochs_data(0))
    return epochs_data, counts


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import torch

    from qa.answer.answer_model import load_tokenizer

    torch.set_num_threads(args.threads)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    t0 = time.perf_counter()
    epochs_data, counts = build_data(args)
    log(f"data ready in {time.perf_counter() - t0:.0f} s: {counts}")
    model, cfg = start_model(args.dropout, args.layers)
    result = train(model, cfg, load_tokenizer(), epochs_data, args, teacher_model(args.teacher))
    model.eval()
    record = {"command": "bench/train_answer_model.py " + " ".join(argv if argv is not None else sys.argv[1:]),
              "seed": args.seed, "args": dict(vars(args)), "data": counts, **result,
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
