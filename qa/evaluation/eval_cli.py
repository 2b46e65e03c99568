"""`qa eval` on the command line: read the question file, run the harness
(qa/evaluation/evaluate.py), print the metrics table, write the JSON, HTML and TREC outputs, and turn
user errors into one ``qa: error:`` line with exit status 2."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from qa.evaluation import eval_metrics as em
from qa.evaluation.evaluate import EvalError, evaluate, load_questions, write_trec
from qa.settings import current

EXIT_USAGE = 2


def load_report(path: str | os.PathLike) -> dict:
    try:
        rep = json.loads(Path(path).read_text("utf-8"))
    except FileNotFoundError:
        raise EvalError(f"no such report: {path}") from None
    except (OSError, ValueError) as exc:
        raise EvalError(f"cannot read report {path}: {exc}") from None
    if not isinstance(rep, dict) or not isinstance(rep.get("metrics"), dict) \
            or not isinstance(rep.get("questions"), list):
        raise EvalError(f"{path} is not a qa eval JSON report")
    return rep


def format_metrics(metrics: dict) -> str:
    """The overall and per-kind metrics as a fixed-width text table."""
    cols = [("questions", "n"), ("accuracy", "acc"), ("hit@1", "hit@1"), ("hit@3", "hit@3"),
            ("mrr@10", "mrr@10"), ("abstention_precision", "abs_P"), ("abstention_recall", "abs_R"),
            ("abstention_f1", "abs_F1"), ("false_abstention_rate", "f_abs"), ("precision_sure", "P_sure"),
            ("precision_unsure", "P_unsr"), ("disagreement_recall", "dis_R"),
            ("disagreement_false_alarm_rate", "dis_FA"), ("faithfulness", "faith"),
            ("latency_p50_ms", "p50_ms"), ("latency_p95_ms", "p95_ms")]

    def fmt(name: str, v) -> str:
        if v is None:
            return "-"
        return f"{v:.0f}" if name.startswith("latency") else (f"{v:.3f}" if isinstance(v, float) else str(v))

    rows = [("overall", metrics)] + sorted(metrics.get("by_kind", {}).items())
    lines = [f"{'kind':<14}" + "".join(f"{s:>8}" for _, s in cols)]
    lines += [f"{k[:14]:<14}" + "".join(f"{fmt(n, m.get(n)):>8}" for n, _ in cols) for k, m in rows]
    return "\n".join(lines)


def make_assistant(args):
    """The Assistant for the CLI (a seam the tests replace to reuse a loaded model)."""
    from qa.answer.engine import Assistant

    index = Path(args.index or current().index)
    if not (index / "CURRENT").exists():
        raise EvalError(f"no index at {index}: build one with `qa index PATH --index {index}`")
    return Assistant(index, model=getattr(args, "model", None))


def _write(path: str, text: str) -> None:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, "utf-8")


def run(args) -> int:
    questions = load_questions(args.questions, getattr(args, "split", None))
    old = load_report(args.compare) if getattr(args, "compare", None) else None
    assistant = make_assistant(args)
    qrels: dict = {}
    report = evaluate(assistant, questions, progress=True, qrels=qrels)
    if old is not None:
        report["compare"] = em.compare(old, report)
    print(format_metrics(report["metrics"]))
    if report["meta"]["unfindable"]:
        print("expected phrase in no indexed sentence: " + ", ".join(report["meta"]["unfindable"]))
    if old is not None:
        print()
        print(em.format_compare(report["compare"]))
    if getattr(args, "json_out", None):
        _write(args.json_out, json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    if getattr(args, "html_out", None):
        from qa.evaluation.eval_report import html_report

        _write(args.html_out, html_report(report))
    if getattr(args, "trec_dir", None):
        write_trec(report, qrels, args.trec_dir)
    return 0


def main(args) -> int:
    """Entry point for ``qa eval``: 0 on success, 2 (with one ``qa: error:`` line) on user error."""
    from qa.answer.engine import QuestionError
    from qa.index.store import IndexError_

    try:
        return run(args)
    except (EvalError, QuestionError, IndexError_) as exc:
        print(f"qa: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"qa: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return EXIT_USAGE
