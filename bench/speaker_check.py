"""Would "abstain when no answer gives the asked speaker's words" hold? Tuning halves only.

    .venv/bin/python bench/speaker_check.py --squad ../shared/data/squad/dev-v1.1.json \
        --wikiqa ../shared/data/wikiqa/WikiQA-test.tsv [--json OUT]

Asked what a named speaker said ("What did <X> say about …?"), ask() abstains when none of
its answers reports words of X's (qa/answer/abstention.py ``quotes_nobody_asked``). This lists
the news tune questions of that form and what the rule does to each; counts, on SQuAD-even
(every question answerable), how many such questions it would withhold (each a false
abstention; with the gold sentence ranked first, a right answer lost); and counts
WikiQA-even's answerable questions of that form. docs/tuning.md, session 11.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import add_tuning_halves, squad_even  # noqa: E402
from qa.evaluation.evaluate import load_questions  # noqa: E402
from qa.answer.abstention import quotes_nobody_asked  # noqa: E402


def withheld(a, question: str, history=()) -> tuple[object, bool, int | None]:
    """(query, does the speaker rule withhold it, the first ranked row or None)."""
    query = a.query(question, list(history))
    if query.speaker is None:
        return query, False, None
    ranked = a._rank(query, {})
    if ranked is None:
        return query, False, None
    return query, quotes_nobody_asked(a, query, ranked), int(ranked[0][0])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_tuning_halves(ap)
    ap.add_argument("--wikiqa", required=True)
    ap.add_argument("--wikiqa-index", default=".cache/wikiqa-pool")
    ap.add_argument("--json")
    args = ap.parse_args()
    import wikiqa as wq
    from qa.answer.engine import Assistant

    a = Assistant(args.index).warm_up()
    out: dict = {"news_tune": []}
    for q in load_questions(args.questions, "tune"):
        query, held, _ = withheld(a, q["question"], q.get("history", []))
        if query.speaker is not None:
            out["news_tune"].append({"id": q["id"], "answerable": q["answerable"], "withheld": held,
                                     "question": q["question"]})
            print(f"news tune {q['id']} {'answerable' if q['answerable'] else 'unanswerable'}: "
                  f"{'withheld' if held else 'answered'}: {q['question']}")
    sq, questions, keys, golds = squad_even(args.squad, args.squad_index, a)
    asked, held, right_lost, examples = 0, 0, 0, []
    for q, gold in zip(questions, golds):
        query, h, row = withheld(sq, q.text.strip())
        if query.speaker is None:
            continue
        asked += 1
        held += h
        right_lost += bool(h and row is not None and keys[row] in gold)
        if h:
            examples.append(q.text.strip())
    out["squad_even"] = {"questions": len(questions), "asking_a_speaker": asked, "withheld": held,
                         "withheld_right_first": right_lost, "withheld_questions": examples}
    print(f"SQuAD-even: {asked} of {len(questions)} questions ask what a named speaker said; "
          f"withheld {held} (of them with the right sentence first: {right_lost})")
    out["wikiqa_even"] = wikiqa_counts(wq.load_wikiqa(args.wikiqa)[2])
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1), "utf-8")
    return 0


def wikiqa_counts(questions) -> dict:
    """How many WikiQA-even questions with a right sentence ask what a named speaker said
    (the rule reads nothing else; searched, they would be counted as SQuAD's are)."""
    from qa.answer.speakers import asked_speaker

    even = [q for q in questions if q.number % 2 == 0 and q.answerable]
    asking = [q.text for q in even if asked_speaker(q.text) is not None]
    print(f"WikiQA-even: {len(asking)} of {len(even)} answerable questions ask what a named speaker said")
    return {"answerable_questions": len(even), "asking_a_speaker": len(asking), "questions": asking}


if __name__ == "__main__":
    sys.exit(main())
