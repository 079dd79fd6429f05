"""The fact entities and their canonical values, read from the decision tree.

Each fact entity fills the slot of the same name (docs/contract.md), and its allowed values
are that fact's answers in routes/decision-tree.yml: the tree is the one place they are listed
(`make validate` checks domain.yml against it).
"""
from __future__ import annotations

from pathlib import Path
from typing import Dict, FrozenSet, Optional

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
TREE_PATH = REPO_ROOT / "routes" / "decision-tree.yml"


def allowed_values(tree_path: Optional[Path] = None) -> Dict[str, FrozenSet[str]]:
    """Canonical values per fact entity: the answers of each fact in the tree."""
    tree = yaml.safe_load(Path(tree_path or TREE_PATH).read_text(encoding="utf-8")) or {}
    return {name: frozenset(str(v) for v in fact["answers"]) for name, fact in (tree.get("facts") or {}).items()}


FACT_ENTITIES = tuple(allowed_values())
