"""Patterns for the ``mentions`` span_ruler: facts that may overlap other facts, and councils.

- ``language/mentions/<fact>.yml``: same format as language/patterns/ (values, ``_words``,
  ``_ignore``) plus the context sections ``_target``, ``_base`` and ``_not`` (language/patterns/README.md);
- council names: generated here from routes/councils.yml at build time (never a hand copy),
  one pattern per name or alias the file lets a sentence use, each with the council's name
  as its value. ``language/mentions/council.yml`` holds only the councils' context phrases.

How the spans become findings (which wins, which are dropped): language/facts.py.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Optional

from language.contract import REPO_ROOT, allowed_values
from language.facts import COUNCIL
from language.pattern_format import CONTEXTS, load_dir

MENTIONS_DIR = REPO_ROOT / "language" / "mentions"


def councils():
    """routes/councils.yml, loaded and checked once per process (routes.councils)."""
    from routes.councils import councils as load

    return load()


def canonical_values(tree_path: Optional[Path] = None) -> Dict[str, FrozenSet[str]]:
    """Every entity the pipeline may emit and its canonical values: the tree's facts
    (language.contract) and ``council``, whose values are the councils' names."""
    return {**allowed_values(tree_path), COUNCIL: frozenset(c.name for c in councils())}


def mention_patterns(nlp, allowed: Mapping[str, FrozenSet[str]], directory: Path = MENTIONS_DIR) -> List[Dict[str, Any]]:
    """The span_ruler patterns: the mention files, then the council names."""
    return load_dir(directory, nlp, allowed, contexts=CONTEXTS) + council_patterns()


def council_patterns(all_councils: Optional[Iterable] = None) -> List[Dict[str, Any]]:
    """Phrase patterns (matched on lower case) for every council's name and aliases.

    routes.councils decides what a sentence may call a council (Councils.search): its name,
    its aliases, and its short name followed by "council" ("Reading council": an everyday
    word like Reading is never an alias on its own). Each spelling generated here is kept
    only if ``search`` reads it as exactly that council, so the two never disagree. An
    everyday short name also counts capitalised inside a sentence, which ``search`` (case
    blind) cannot see.
    """
    from routes.councils import COMPASS, SUFFIXES

    index = councils() if all_councils is None else all_councils
    patterns, seen = [], set()
    for council in index:
        core = _core(council.name, SUFFIXES)
        texts = [council.name, *council.also] + ([core + " council"] if core else [])
        for text in texts:
            for spelling in _spellings(text, COMPASS):
                key = spelling.lower()
                if key in seen or index.search(spelling) != [council]:
                    continue
                seen.add(key)
                patterns.append({"label": COUNCIL, "id": council.name, "pattern": spelling})
        # A short name that is an everyday word (Reading, Bury) is the council when written
        # with its capital inside a sentence ("care in Reading", "Bury's framework").
        if core and " " not in core and index.search(core) != [council]:
            patterns.append({"label": COUNCIL, "id": council.name,
                             "pattern": [{"ORTH": core, "IS_SENT_START": False}]})
    return patterns


def _core(name: str, suffixes) -> str:
    """The name without a leading "the" and its council words: "Kent County Council" -> "Kent"."""
    words = name.split()
    if len(words) > 1 and words[0].lower() == "the":
        words = words[1:]
    low = [w.lower() for w in words]
    for suffix in suffixes:
        if len(low) > len(suffix) and tuple(low[-len(suffix):]) == tuple(suffix):
            return " ".join(words[:-len(suffix)])
    return ""


def _spellings(text: str, compass: Mapping[str, str]) -> List[str]:
    """How a visitor may type a name: as written, without accents, hyphens or commas, with
    "and" for "&" (and back), without the apostrophe of "King's", "St." for "St", a leading
    compass point shortened ("S Lanarkshire": ``compass``, routes.councils.COMPASS)."""
    out = [text]

    def add(variant: str) -> None:
        variant = " ".join(variant.split())
        if variant and variant not in out:
            out.append(variant)

    for base in list(out):
        add("".join(c for c in unicodedata.normalize("NFKD", base) if not unicodedata.combining(c)))
    for base in list(out):
        add(base.replace("-", " "))
        add(base.replace(",", ""))
        add(base.replace("&", "and"))
        add(re.sub(r"\band\b", "&", base))
        add(base.replace("'s ", "s ").replace("’s ", "s "))
        add(re.sub(r"\bSt\b(?!\.)", "St.", base))
    for base in list(out):
        first, _, rest = base.partition(" ")
        if rest and first.lower() in compass:
            add(compass[first.lower()].upper() + " " + rest)
    return out
