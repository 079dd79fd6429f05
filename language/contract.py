"""The fact entities and their canonical values, read from domain.yml.

Each fact entity fills the categorical slot of the same name (docs/contract.md), so its
allowed values are that slot's ``values``; domain.yml stays the one place they are listed.
"""
from __future__ import annotations

from pathlib import Path
from typing import Dict, FrozenSet, Optional

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
DOMAIN_PATH = REPO_ROOT / "domain.yml"


def allowed_values(domain_path: Optional[Path] = None) -> Dict[str, FrozenSet[str]]:
    """Canonical values per fact entity: the entities that fill a categorical slot."""
    domain = yaml.safe_load(Path(domain_path or DOMAIN_PATH).read_text(encoding="utf-8")) or {}
    entities = set(domain.get("entities") or [])
    return {
        name: frozenset(str(v) for v in slot["values"])
        for name, slot in (domain.get("slots") or {}).items()
        if name in entities and slot.get("type") == "categorical"
    }


FACT_ENTITIES = tuple(allowed_values())
