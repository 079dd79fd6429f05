"""The fact entities and their canonical values (docs/contract.md).

The source of truth at build and run time is domain.yml: each fact entity fills the
categorical slot of the same name, so its allowed values are that slot's ``values``.
``CONTRACT_VALUES`` mirrors docs/contract.md and is used for any fact whose slot is
missing from domain.yml (e.g. before domain.yml existed, or in a bare checkout).
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Dict, FrozenSet, Optional

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
DOMAIN_PATH = REPO_ROOT / "domain.yml"

CONTRACT_VALUES: Dict[str, FrozenSet[str]] = {
    "stage": frozenset({"new", "expanding", "established"}),
    "registration": frozenset({"registered", "pending", "unregistered", "not_required"}),
    "capacity": frozenset({"none", "limited", "available"}),
    "framework": frozenset({"opening", "closed", "unknown"}),
    "dps": frozenset({"open", "closed", "unknown"}),
    "work_type": frozenset({"specialist", "urgent", "general", "unknown"}),
    "nation": frozenset({"england", "wales", "scotland", "northern_ireland"}),
}
FACT_ENTITIES = tuple(CONTRACT_VALUES)


def allowed_values(domain_path: Optional[Path] = None) -> Dict[str, FrozenSet[str]]:
    """Canonical values per fact entity: domain.yml's categorical slots, else the contract."""
    path = Path(domain_path) if domain_path else DOMAIN_PATH
    allowed = dict(CONTRACT_VALUES)
    if not path.exists():
        return allowed
    slots = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("slots") or {}
    for entity in FACT_ENTITIES:
        slot = slots.get(entity) or {}
        if slot.get("type") == "categorical" and slot.get("values"):
            values = frozenset(str(v) for v in slot["values"]) - {"__other__"}
            if values != CONTRACT_VALUES[entity]:
                print(
                    f"warning: {path.name} slot {entity!r} values {sorted(values)} differ "
                    f"from docs/contract.md {sorted(CONTRACT_VALUES[entity])}; using {path.name}",
                    file=sys.stderr,
                )
            allowed[entity] = values
    return allowed
