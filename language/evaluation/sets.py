"""The held-out sets and the training text they must never share a line with.

Two formats, one shape: each line becomes a `Case` (text, intent, and the facts the slots
should hold after it: what was said, plus what the walker works out from it, `slots_after`).

- Rasa NLU format (``nlu:``, annotated spans; tests/nlu/heldout.yml): a fact is the last
  annotated value of its entity; a ``council`` span counts for the nation.
- situations (``situations:`` [{text, intent, facts}]; tests/nlu/heldout-situations.yml):
  the facts as written.

Both sides of every comparison (the set's labels, the model's reading, a second annotator's
labels) go through `slots_after`, so a line is scored on what the slots hold after it: "we're on
their framework" is on_list framework and, by the tree's `implies`, stage established, however
the writer labelled the stage.

A set scores only the facts it annotates somewhere, and only on lines of the intents it
annotates facts on somewhere (tests/nlu/heldout.yml annotates its `inform` lines only, so a
nation named in one of its questions is neither right nor wrong): on those lines, a fact the
line does not name means "not said". Lines are compared with training text after `normalise`.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import yaml

from language.contract import FACT_ENTITIES, REPO_ROOT

# libyaml's loader where PyYAML has it (its wheels do): language/situations.yml, read at every
# training, loads in 2 s rather than 7.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

COUNCIL = "council"
NATION = "nation"
HELD_OUT_DIR = REPO_ROOT / "tests" / "nlu"
HELD_OUT_SETS = tuple(HELD_OUT_DIR / name for name in (
    "heldout.yml", "heldout-situations.yml", "heldout-fresh.yml", "heldout-blind.yml",
    "heldout-first-messages.yml", "heldout-whole-day.yml", "heldout-phone-and-desk.yml"))
# The development set: also written blind to data/ and language/, but looked at to find what
# the layers miss. Its figures are not figures on unseen text; its lines are never training text.
DEV_SET = REPO_ROOT / "language" / "evaluation" / "dev-situations.yml"
# A second label for each scored line of the held-out sets, by an annotator who saw only the
# contract and the texts (neither the writers' labels nor the training data): how far two
# careful readers agree is the most a model can be expected to agree with one of them.
SECOND_ANNOTATION = HELD_OUT_DIR / "second-annotation.yml"
TRAINING_DATA = REPO_ROOT / "data"
# Statements written blind, with their facts: training text for the message-level layer
# (language/message_values.py), so never a held-out or development line.
SITUATIONS = REPO_ROOT / "language" / "situations.yml"


@dataclass(frozen=True)
class Case:
    text: str
    intent: str
    facts: Mapping[str, str]  # fact -> canonical value (council: as written), `slots_after`
    facts_scored: bool = True  # False: the set annotates no fact on any line of this intent


@dataclass(frozen=True)
class HeldOutSet:
    name: str  # the file's stem: names the set in reports, floors and results/nlu/
    path: Path
    cases: tuple[Case, ...]
    scored: tuple[str, ...]  # the facts it annotates: the tree's order, then council


def normalise(text: str) -> str:
    """How lines are compared with training text: lower case, whitespace collapsed."""
    return " ".join(str(text).lower().split())


def load_set(path: Path) -> HeldOutSet:
    path = Path(path)
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}
    if "situations" in data:
        cases = [_situation(entry, path) for entry in data["situations"] or []]
    elif "nlu" in data:
        cases = _rasa_cases(path)
    else:
        raise ValueError(f"{path}: neither a `situations:` list nor Rasa NLU data (`nlu:`)")
    if not cases:
        raise ValueError(f"{path}: no held-out lines")
    annotated = {_intent_group(c.intent) for c in cases if c.facts}
    cases = [c if _intent_group(c.intent) in annotated else replace(c, facts_scored=False) for c in cases]
    named = {name for case in cases for name in case.facts}
    scored = tuple(n for n in (*FACT_ENTITIES, COUNCIL) if n in named)
    unknown = named - set(scored)
    if unknown:
        raise ValueError(f"{path}: facts not in routes/decision-tree.yml: {sorted(unknown)}")
    cases = [replace(c, facts=slots_after(c.facts, scored)) for c in cases]
    return HeldOutSet(path.stem, path, tuple(cases), scored)


def load_second_annotation(path: Path = SECOND_ANNOTATION) -> tuple[tuple[str, ...], dict[str, dict[str, dict[str, str]]]]:
    """(the facts the second annotator labelled, {set name: {normalised text: {fact: value}}})."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    facts, sets = data.get("facts"), data.get("sets")
    if not isinstance(facts, list) or not facts or not isinstance(sets, Mapping):
        raise ValueError(f"{path}: expected `facts: [...]` and `sets: {{set name: [{{text, facts}}]}}`")
    unknown = set(facts) - set(FACT_ENTITIES)
    if unknown:
        raise ValueError(f"{path}: facts not in routes/decision-tree.yml: {sorted(unknown)}")
    labels: dict[str, dict[str, dict[str, str]]] = {}
    for name, entries in sets.items():
        labels[str(name)] = {}
        for entry in entries or []:
            said = {str(k): str(v) for k, v in (entry.get("facts") or {}).items()}
            if set(said) - set(facts):
                raise ValueError(f"{path}: {name}: a label outside `facts`: {entry!r}")
            labels[str(name)][normalise(entry["text"])] = said
    return tuple(facts), labels


def _intent_group(intent: str) -> str:
    """A retrieval intent's group (``faq`` for ``faq/dps``): its questions are annotated alike."""
    return intent.split("/", 1)[0]


def situations() -> HeldOutSet:
    """language/situations.yml, read once per version of the file in a process: two components
    of one training (CanonicalValues, RouteQuestions) learn from it."""
    return _situations(SITUATIONS.stat().st_mtime_ns)


@lru_cache(maxsize=1)
def _situations(version: int) -> HeldOutSet:
    return load_set(SITUATIONS)


def load_sets(paths: Iterable[Path] = HELD_OUT_SETS) -> list[HeldOutSet]:
    return [load_set(p) for p in paths]


def _situation(entry: Mapping, path: Path) -> Case:
    if not isinstance(entry, Mapping) or "text" not in entry or not entry.get("intent"):
        raise ValueError(f"{path}: each situation needs `text` and `intent`, got {entry!r}")
    facts = {str(k): str(v) for k, v in (entry.get("facts") or {}).items() if v is not None}
    return Case(str(entry["text"]), str(entry["intent"]), facts)


def _rasa_cases(path: Path) -> list[Case]:
    from rasa.shared.nlu.training_data.loading import load_data

    cases = []
    for message in load_data(str(path)).nlu_examples:
        said = {e["entity"]: str(e["value"]) for e in message.get("entities", [])
                if e["entity"] in FACT_ENTITIES or e["entity"] == COUNCIL}
        # A retrieval intent's question (faq/dps) is scored by its full key, as intent_of reads it.
        intent = message.get("intent_response_key") or message.get("intent")
        nation = slots_after(said).get(NATION)  # what `scored` counts; load_set adds the rest
        cases.append(Case(message.get("text"), intent, {**said, NATION: nation} if nation else said))
    return cases


@lru_cache(maxsize=1)
def _tree():
    from routes.tree import load_tree

    return load_tree()


def slots_after(said: Mapping[str, str], only: Sequence[str] = ()) -> dict[str, str]:
    """What the slots hold after a line that said ``said`` (the last value of each entity):
    the facts said, plus what the walker works out from them (routes.walker.known_facts): the
    nation (named, else the council's, else the regulator's) and each fact a rule of the
    tree's `implies` fills. ``only``: work from these facts and the council alone, so a set
    that does not annotate the regulator (or on_list) is not scored on a nation (or a stage)
    it never labelled."""
    from routes.walker import known_facts

    facts = {k: v for k, v in said.items() if not only or k in only or k == COUNCIL}
    known = known_facts(_tree(), facts)
    implied = {name for rule in _tree().implies for name in rule.then}
    for name in (NATION, *sorted(implied)):
        if name in known and name not in facts:
            facts[name] = known[name]
    return facts


def training_texts(data_dir: Path = TRAINING_DATA, situations: Path = SITUATIONS) -> set[str]:
    """Every piece of example text the model is trained on, normalised: the NLU examples,
    lookup-table entries and entity synonyms (both the words and their value) of every NLU
    file under ``data_dir``, and the lines of ``situations``."""
    from rasa.shared.data import get_data_files, is_nlu_file
    from rasa.shared.nlu.training_data.loading import load_data

    texts: set[str] = set()
    for path in get_data_files([str(data_dir)], is_nlu_file):
        data = load_data(path)
        texts.update(m.get("text") for m in data.nlu_examples)
        for table in data.lookup_tables:
            elements = table.get("elements")
            if not isinstance(elements, list):
                raise TypeError(f"{path}: lookup {table.get('name')!r} must list its entries")
            texts.update(elements)
        for words, value in data.entity_synonyms.items():
            texts.update((words, value))
    texts.update(c.text for c in load_set(situations).cases)
    return {normalise(t) for t in texts if t}


def also_trained(held_out: HeldOutSet, trained: set[str]) -> list[str]:
    """The set's lines that are also training text."""
    return [c.text for c in held_out.cases if normalise(c.text) in trained]


def repeated(held_out: HeldOutSet) -> list[str]:
    """Lines the set holds more than once (after `normalise`)."""
    seen: set[str] = set()
    twice = []
    for case in held_out.cases:
        key = normalise(case.text)
        if key in seen:
            twice.append(case.text)
        seen.add(key)
    return twice
