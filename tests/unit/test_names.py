"""One name, one meaning: no two classes in ``src/ordertrack`` share a name (docs/glossary.md)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import ordertrack

SOURCE = Path(ordertrack.__file__).parent

# A name that must stay defined twice for a while, with who removes the second one. Keep it empty.
ALLOWED_TWICE: dict[str, str] = {}


def classes_by_name() -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                found[node.name].append(str(path.relative_to(SOURCE)))
    return found


def test_no_class_name_is_defined_twice() -> None:
    twice = {name: paths for name, paths in classes_by_name().items() if len(paths) > 1}
    assert {name: paths for name, paths in twice.items() if name not in ALLOWED_TWICE} == {}
