"""House rules the code must keep (docs/architecture.md): settings are read in one place,
and modules talk through public names only."""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QA = ROOT / "qa"
MODULES = sorted(p for p in QA.rglob("*.py") if "__pycache__" not in p.parts)


def _tree(path: Path) -> ast.AST:
    return ast.parse(path.read_text("utf-8"), str(path))


def test_only_the_settings_module_reads_or_writes_the_environment():
    offenders = []
    for path in MODULES:
        if path.name == "settings.py" and path.parent == QA:
            continue
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "putenv") \
                    and isinstance(node.value, ast.Name) and node.value.id == "os":
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, "os.environ outside qa/settings.py: " + ", ".join(offenders)


def _module_names() -> set[str]:
    return {p.stem for p in MODULES}


def test_no_private_name_crosses_a_module():
    """No `from .x import _y`, and no `x._y` where x is one of our modules."""
    ours = _module_names()
    offenders = []
    for path in MODULES:
        tree = _tree(path)
        imported_modules = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("qa")):
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {alias.name}")
                    if alias.name in ours:
                        imported_modules.add(alias.asname or alias.name)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                    and node.value.id in imported_modules and re.match(r"_[a-z]", node.attr):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} uses {node.value.id}.{node.attr}")
    assert not offenders, "; ".join(offenders)


def test_settings_document_every_variable_they_read():
    text = (QA / "settings.py").read_text("utf-8")
    read = set(re.findall(r'"(QA_[A-Z_]+)"', text))
    doc = text.split('"""')[1]
    server_doc = text[text.index("class ServerSettings"):]
    missing = [v for v in read if v not in doc and f"# {v}" not in server_doc and f"{v}:" not in server_doc
               and f"{v} (" not in server_doc]
    assert not missing, f"undocumented settings: {missing}"
    assert len(read) >= 20
