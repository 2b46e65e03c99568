"""The ``qa`` command: a thin layer over the library. Errors are one line and exit 2."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from qa.settings import current, prepare_process

EXIT_USAGE = 2


class UserError(Exception):
    pass


def _index_dir(args) -> Path:
    return Path(args.index or current().index)


def cmd_index(args) -> int:
    from qa.index.indexing import build_index, is_stale

    paths = args.paths or [current().corpus]
    for p in paths:
        if not Path(p).exists():
            raise UserError(f"no such file or folder: {p}")
    if _index_dir(args).exists() and not _index_dir(args).is_dir():
        raise UserError(f"--index {_index_dir(args)} is a file, not a folder")
    if args.if_stale and not is_stale(paths, _index_dir(args), args.model):
        print(f"index at {_index_dir(args)} is up to date", file=sys.stderr)
        return 0
    from qa.milvus.admin import index_with_milvus

    # --backend milvus (or QA_RETRIEVER=qa.milvus:create) also builds or extends the collection.
    summary = index_with_milvus(args, _index_dir(args), lambda: build_index(
        paths, _index_dir(args), model=args.model, add=args.add, progress=not args.quiet))
    print(json.dumps(summary, indent=2))
    return 0


def _print_text(result: dict) -> None:
    from qa.serve.render import SIDE_LABELS, layout

    if result.get("read_as"):
        print(f"(Read as: {result['read_as']})\n")
    if result["abstained"]:
        print(result["message"])
        return
    if result["message"]:        # answered, but unsure
        print(result["message"] + "\n")
    answers = result["answers"]
    # Answers keep their numbers (1-based positions in --json's "answers"); a disagreement
    # is printed where its first answer ranks, its message and then each side indented.
    for item in layout(result):
        if item[0] == "answer":
            _print_answer(item[1], answers[item[1]], "")
        elif item[0] == "group":
            print(item[1].get("message") or "")
            label = SIDE_LABELS.get(item[1].get("kind"), SIDE_LABELS[None])
            for n, side in enumerate(item[2], 1):
                print(f"  {label} {n}:")
                for i in side:
                    _print_answer(i, answers[i], "  ")
        else:
            print(item[1].get("message") or "", end="\n\n")


def _print_answer(i: int, answer: dict, indent: str) -> None:
    print(f"{indent}{i + 1}. “{answer['text']}”  (score {answer['score']:.2f})")
    for c in answer["citations"]:
        print(indent + citation_line(c))
    print()


def citation_line(cite: dict) -> str:
    """One citation as the CLI prints it. Unknown (null) title, publisher, date or link are
    left out with their separators: never "None", never a dangling ", " or "<>". A merged
    quote's lead-in, this outlet's words before it, follows in quotation marks."""
    bits = [cite.get("title") or cite.get("doc_id"), cite.get("source"), cite.get("date")]
    line = ", ".join(str(b).strip() for b in bits if b and str(b).strip())
    if cite.get("url"):
        line += f" <{cite['url']}>"
    lead = cite.get("lead_in").strip() if isinstance(cite.get("lead_in"), str) else ""
    lead = f" lead-in: “{lead}”" if lead else ""
    return f"     — {line} [{cite['doc_id']} {cite['start']}:{cite['end']}]{lead}"


def _argv_text(value):
    """Arguments that were not valid UTF-8 reach Python as lone surrogates
    (surrogateescape), which no tokenizer accepts: show those bytes as U+FFFD instead."""
    if isinstance(value, list):
        return [_argv_text(v) for v in value]
    if not value:
        return value
    try:
        raw = value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:   # a surrogate that did not come from argv bytes
        raw = value.encode("utf-8", "surrogatepass")
    return raw.decode("utf-8", "replace")


def cmd_ask(args) -> int:
    from qa.answer.engine import Assistant, clean_question

    args.question, args.history, args.source = map(_argv_text, (args.question, args.history, args.source))
    clean_question(args.question)   # fail fast, before loading anything
    index = _index_dir(args)
    if not (index / "CURRENT").exists():
        raise UserError(f"no index at {index}: build one with `qa index PATH --index {index}`")
    filters = {}
    if args.source:
        filters["sources"] = args.source
    if args.date_from:
        filters["date_from"] = args.date_from
    if args.date_to:
        filters["date_to"] = args.date_to
    result = Assistant(index, model=args.model).ask(args.question, history=args.history or (), k=args.k,
                                                    filters=filters or None).to_dict()
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        _print_text(result)
    return 0


def cmd_serve(args) -> int:
    from qa.serve.server import serve

    serve(host=args.host, port=args.port, index_dir=_index_dir(args), model=args.model)
    return 0


def cmd_eval(args) -> int:
    from qa.evaluation.eval_cli import main as eval_main

    return eval_main(args)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="qa", description="Answer questions by quoting news articles, with citations.")
    p.add_argument("--version", action="version", version=_version())
    sub = p.add_subparsers(dest="command", required=True)

    pi = sub.add_parser("index", help="build (or extend) an index from articles")
    pi.add_argument("paths", nargs="*", help="files or folders (default: $QA_CORPUS or seeds)")
    pi.add_argument("--index", help="index folder (default: $QA_INDEX or ./index)")
    pi.add_argument("--model", help="embedding model path or name (default: $QA_MODEL or the bundled MiniLM)")
    pi.add_argument("--add", action="store_true", help="add to the existing index without re-encoding it")
    pi.add_argument("--if-stale", action="store_true", help="only rebuild when missing or out of date")
    pi.add_argument("--quiet", action="store_true", help="no progress output")
    from qa.milvus.admin import add_index_arguments

    add_index_arguments(pi)             # --backend, --milvus-uri
    pi.set_defaults(func=cmd_index)

    pa = sub.add_parser("ask", help="ask a question")
    pa.add_argument("question")
    pa.add_argument("--json", action="store_true", help="print the JSON result")
    pa.add_argument("-k", type=int, default=3, help="answers to return (default 3)")
    pa.add_argument("--index", help="index folder (default: $QA_INDEX or ./index)")
    pa.add_argument("--model", help="embedding model (must match the index)")
    pa.add_argument("--history", action="append", help="an earlier question of the conversation (repeatable)")
    pa.add_argument("--source", action="append", help="only articles from this publisher (repeatable)")
    pa.add_argument("--from", dest="date_from", help="only articles dated on or after YYYY-MM-DD")
    pa.add_argument("--to", dest="date_to", help="only articles dated on or before YYYY-MM-DD")
    pa.set_defaults(func=cmd_ask)

    ps = sub.add_parser("serve", help="serve the chat, the HTTP API and the widget")
    ps.add_argument("--host", default=current().host)
    ps.add_argument("--port", type=int, default=current().port)
    ps.add_argument("--index", help="index folder (default: $QA_INDEX or ./index)")
    ps.add_argument("--model", help="embedding model (must match the index)")
    ps.set_defaults(func=cmd_serve)

    pe = sub.add_parser("eval", help="run a question set and score the answers")
    pe.add_argument("questions", help="questions JSONL file")
    pe.add_argument("--index", help="index folder (default: $QA_INDEX or ./index)")
    pe.add_argument("--json", dest="json_out", help="write the JSON report here")
    pe.add_argument("--html", dest="html_out", help="write a self-contained HTML report here")
    pe.add_argument("--trec", dest="trec_dir", help="write TREC run and qrels files into this folder")
    pe.add_argument("--compare", help="an earlier JSON report to compare against")
    pe.add_argument("--split", help="only questions whose split is this (tune or report)")
    pe.add_argument("--model", help="embedding model (must match the index)")
    pe.set_defaults(func=cmd_eval)
    return p


def _version() -> str:
    from qa import __version__

    return f"qa {__version__}"


def main(argv: list[str] | None = None) -> int:
    prepare_process(Path(".cache/gradio"))   # third-party variables, before torch or faiss load
    try:
        current()
    except ValueError as exc:  # a malformed QA_* number
        print(f"qa: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    args = parser().parse_args(argv)
    from qa.answer.engine import QuestionError
    from qa.index.store import IndexError_

    try:
        return args.func(args)
    except (UserError, QuestionError, IndexError_) as exc:
        print(f"qa: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:   # unreadable paths, a full disk, a model that cannot be loaded
        print(f"qa: error: {exc}".replace("\n", " "), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("qa: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
