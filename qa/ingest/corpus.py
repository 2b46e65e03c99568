"""Loading articles from folders and files: .txt, .md, .html/.htm, .jsonl.

Every file is decoded from bytes by hand so offsets index exactly the text we keep
(no newline translation). Unreadable files are reported and skipped; nothing else
is dropped silently.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable, Optional

from qa.ingest.clean import article_spans, date_above
from qa.types import Article

log = logging.getLogger(__name__)

TEXT_EXTS = {".txt", ".md", ".markdown", ".html", ".htm", ".jsonl"}
METADATA_NAMES = ("metadata.json",)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")   # ASCII digits only: \d also takes "２０２１"
# Articles without a publisher or date are warned about one line each up to this many; a
# feed of a million unnamed records gets one summary line for the rest, not a million lines.
MAX_UNNAMED_LISTED = 100
# Files in a corpus folder that are about the corpus, not articles of it. A file named
# explicitly on the command line is always read.
_NOT_ARTICLES = re.compile(r"^(readme|licen[cs]e|changelog|questions|examples)([._-].*)?$", re.I)


@dataclass
class LoadReport:
    articles: list[Article] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)   # (path, reason)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (path, kept doc_id)
    warnings: list[str] = field(default_factory=list)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def decode(data: bytes) -> tuple[str, Optional[str]]:
    """Decode UTF-8 (with or without BOM); fall back to cp1252, then latin-1, with a
    warning. Binary data raises ValueError."""
    head = data[:8192]
    if b"\x00" in head:
        raise ValueError("binary file (NUL bytes)")
    if head:
        ctrl = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
        if ctrl / len(head) > 0.05:
            raise ValueError("binary file (control bytes)")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        note = f"invalid UTF-8 at byte {exc.start}"
    try:
        return data.decode("cp1252"), note + "; decoded as cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), note + "; decoded as latin-1"


def is_iso_date(value) -> bool:
    """A real calendar day written YYYY-MM-DD in ASCII digits (not 2021-02-30)."""
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _clean_date(value) -> Optional[str]:
    if value is None:
        return None
    value = str(value).strip()[:10]
    return value if is_iso_date(value) else None


def _clean_url(value) -> Optional[str]:
    value = (value or "").strip() if isinstance(value, str) else ""
    return value if re.match(r"^https?://\S+$", value, re.I) else None


def make_article(doc_id: str, text: str, meta: dict, path: Optional[str], kind: str) -> Article:
    """Build an Article: title from metadata, else the first line (the one after it when
    the first is only a dateline); body spans cleaned; date from metadata, else a .txt/.md
    article's own dateline."""
    plain = kind in ("txt", "md")
    spans, title_span = article_spans(text, skip_first=plain)
    first_line = text[title_span[0]:title_span[1]].lstrip("# ").strip() if title_span else ""
    title = str(meta.get("title") or first_line or doc_id).strip()
    source = meta.get("source")
    return Article(
        doc_id=doc_id, text=text, title=title,
        source=str(source).strip() if source else None,
        date=_clean_date(meta.get("date")) or (date_above(text, spans, title_span) if plain else None),
        url=_clean_url(meta.get("url")),
        path=path, content_hash=content_hash(text), body=tuple(spans),
    )


def _read_metadata(folder: Path, report: LoadReport) -> dict:
    for name in METADATA_NAMES:
        p = folder / name
        if p.is_file():
            try:
                meta = json.loads(p.read_text("utf-8"))
                json.dumps(meta, ensure_ascii=False).encode("utf-8")   # no lone surrogates
            except (ValueError, OSError) as exc:
                report.warnings.append(f"{p}: unreadable metadata ({exc}); ignored")
                return {}
            if not isinstance(meta, dict):
                report.warnings.append(f"{p}: metadata must be a JSON object; ignored")
                return {}
            return {k: v for k, v in meta.items() if not k.startswith("_") and isinstance(v, dict)}
    return {}


def _html_article(doc_id: str, raw: str, meta: dict, path: str) -> Article:
    import trafilatura  # lazy: only HTML inputs pay its import

    text = trafilatura.extract(raw, include_comments=False, include_tables=False, favor_precision=True) or ""
    if not all(meta.get(k) for k in ("title", "source", "date", "url")):
        # What the page says of itself (its <title>/og tags, publication date, canonical
        # link; the site name, else the canonical link's host) fills what the sidecar
        # leaves out. The sidecar always wins, and nothing is guessed beyond the page.
        md = trafilatura.extract_metadata(raw)
        page = {"title": getattr(md, "title", None), "source": getattr(md, "sitename", None),
                "date": getattr(md, "date", None), "url": getattr(md, "url", None)}
        meta = {**meta, **{k: v for k, v in page.items() if v and not meta.get(k)}}
    return make_article(doc_id, text, meta, path, "html")


def _jsonl_articles(raw: str, path: str, report: LoadReport) -> list[Article]:
    out = []
    # Split on "\n" only: str.splitlines() also breaks at U+2028, U+0085 and friends,
    # which JSON allows unescaped inside a string, and would cut a valid record in two.
    for n, line in enumerate(raw.split("\n"), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
                raise ValueError("needs an object with a string 'text'")
            # JSON may escape a lone surrogate ("\ud800"): no encoder, tokenizer or
            # UTF-8 index file can hold it, so the line is refused here, by name.
            json.dumps(rec, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            report.skipped.append((f"{path}:{n}", "bad JSON line: unpaired surrogate escape (not valid Unicode)"))
            continue
        except ValueError as exc:
            report.skipped.append((f"{path}:{n}", f"bad JSON line: {exc}"))
            continue
        doc_id = str(rec.get("id") or f"{Path(path).stem}-{n}")
        out.append(make_article(doc_id, rec["text"], rec, path, "jsonl"))
    return out


def load_file(path: Path, meta: dict, report: LoadReport) -> list[Article]:
    ext = path.suffix.lower()
    try:
        raw, note = decode(path.read_bytes())
    except (OSError, ValueError) as exc:
        report.skipped.append((str(path), str(exc)))
        return []
    if note:
        report.warnings.append(f"{path}: {note}")
    doc_id = path.stem
    if ext == ".jsonl":
        return _jsonl_articles(raw, str(path), report)
    if ext in (".html", ".htm"):
        return [_html_article(doc_id, raw, meta, str(path))]
    return [make_article(doc_id, raw, meta, str(path), "md" if ext in (".md", ".markdown") else "txt")]


def iter_files(paths: Iterable[str | os.PathLike]) -> Iterable[tuple[Path, Path]]:
    """(file, its folder) for each corpus file under ``paths``, in a stable order."""
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p).parts
                if f.is_file() and not any(x.startswith(".") for x in rel) and not _NOT_ARTICLES.match(f.name):
                    yield f, f.parent
        elif p.is_file():
            yield p, p.parent
        else:
            raise FileNotFoundError(f"no such file or folder: {p}")


def load(paths: Iterable[str | os.PathLike]) -> LoadReport:
    """Load every article under ``paths``. The same text twice is stored once."""
    report = LoadReport()
    seen: dict[str, str] = {}
    metas: dict[Path, dict] = {}
    unnamed = 0
    for f, folder in iter_files(list(paths)):
        if f.name in METADATA_NAMES:
            continue
        if f.suffix.lower() not in TEXT_EXTS:
            report.skipped.append((str(f), f"unsupported file type {f.suffix or '(none)'}"))
            continue
        if folder not in metas:
            metas[folder] = _read_metadata(folder, report)
        for art in load_file(f, metas[folder].get(f.name, {}), report):
            if not art.body:   # warned before the duplicate check: two empty files are "equal"
                report.warnings.append(f"{f}: no article text after cleaning")
            if art.content_hash in seen:
                report.duplicates.append((art.path or art.doc_id, seen[art.content_hash]))
                continue
            seen[art.content_hash] = art.doc_id
            report.articles.append(art)
            if not (art.source and art.date):
                unnamed += 1
                if unnamed <= MAX_UNNAMED_LISTED:
                    report.warnings.append(missing_citation_fields(art))
    if unnamed > MAX_UNNAMED_LISTED:
        report.warnings.append(f"{unnamed - MAX_UNNAMED_LISTED} more articles without a publisher or date "
                               "(not listed one by one)")
    dedupe_ids(report.articles)
    return report


def missing_citation_fields(art: Article) -> str:
    """One warning line for an article cited without its publisher or date, naming its
    file (and its record, for a .jsonl feed) and where the value can be given."""
    where = art.path or art.doc_id
    if art.path and art.path.endswith(".jsonl"):
        where = f"{art.path} (id {art.doc_id})"
    lacks = [name for name, value in (("publisher", art.source), ("date", art.date)) if not value]
    it = "them" if len(lacks) > 1 else "it"
    hint = "the record" if where.endswith(")") else "metadata.json beside the file"
    return f"{where}: no {' and no '.join(lacks)}; its citations will not show {it} (give {it} in {hint})"


def dedupe_ids(articles: list[Article]) -> None:
    """Two files with one stem (a.txt, a.html) keep distinct ids."""
    from dataclasses import replace

    used: dict[str, int] = {}
    for i, a in enumerate(articles):
        if a.doc_id in used:
            used[a.doc_id] += 1
            articles[i] = replace(a, doc_id=f"{a.doc_id}~{used[a.doc_id]}")
        else:
            used[a.doc_id] = 0
