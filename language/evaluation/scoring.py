"""The figures: how the trained model reads each held-out line, and how right that is.

What counts is the canonical value that reaches each slot (what the decision tree acts on),
not Rasa's token-by-token span match. Per fact, a right value is a true positive; a wrong
value is a false positive and a false negative; a value where none was meant is a false
positive, a missing one a false negative.
"""
from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from language.contract import FACT_ENTITIES
from language.evaluation.sets import COUNCIL, Case, HeldOutSet, normalise, slots_after

NOT_SAID = "—"  # a fact the line did not state, or the model did not find
FLOOR_MARGIN = 0.02


@dataclass(frozen=True)
class Reading:
    """What the model made of one line."""

    case: Case
    intent: str
    facts: Mapping[str, str]  # the slots after the message, nation inferred
    entities: frozenset[tuple[str, str]]  # every fact entity found, (entity, canonical value)
    ms: float  # the parse, in milliseconds


class NluModel:
    """A trained model loaded once, parsing in-process as the running assistant does."""

    def __init__(self, model_path: Path):
        import logging
        import warnings

        path = Path(model_path)
        if not path.is_file():
            raise FileNotFoundError(f"No trained model at {path}: run `make model` first.")
        self.path = path
        with warnings.catch_warnings():  # the libraries' deprecation notices, not the model's
            warnings.simplefilter("ignore")
            from rasa.core.agent import Agent
            from rasa.utils.log_utils import configure_structlog

            import serving  # noqa: F401  (serving/patches.py: the running assistant's graph runner)

            configure_structlog(logging.WARNING)  # Rasa's per-message debug log
            self.agent = Agent.load(str(path))
        self.parse(["hello"])  # the first parse builds TensorFlow's graph: not a message's cost

    def parse(self, texts: Sequence[str]) -> list[tuple[dict, float]]:
        """Rasa's parse of each text, and how long it took in milliseconds."""
        async def parse_each() -> list[tuple[dict, float]]:
            results = []
            for text in texts:
                started = time.perf_counter()
                result = await self.agent.parse_message(text)
                results.append((result, (time.perf_counter() - started) * 1000))
            return results

        return asyncio.run(parse_each())

    def read(self, cases: Iterable[Case], scored: Sequence[str] = ()) -> list[Reading]:
        """Each case as the model reads it; ``scored``: the facts the set annotates (the
        nation is inferred from those and the council only)."""
        cases = list(cases)
        readings = []
        for case, (result, ms) in zip(cases, self.parse([c.text for c in cases])):
            found = [(e["entity"], str(e["value"])) for e in result.get("entities", [])
                     if e["entity"] in FACT_ENTITIES or e["entity"] == COUNCIL]
            readings.append(Reading(
                case, intent_of(result), slots_after(dict(found), scored),
                frozenset((e, v) for e, v in found if e != COUNCIL), ms,
            ))
        return readings


def intent_of(result: Mapping) -> str:
    """The intent, or for a retrieval intent its full key (``faq/ask_dps``) from the
    response selector."""
    name = (result.get("intent") or {}).get("name") or ""
    selectors = result.get("response_selector") or {}
    selected = selectors.get(name) or (selectors.get("default") if name in selectors.get(
        "all_retrieval_intents", ()) else None)
    key = ((selected or {}).get("response") or {}).get("intent_response_key")
    return key or name


def same_intent(want: str, got: str) -> bool:
    """A set may name a retrieval intent's question without its group (``ask_dps`` for
    ``faq/ask_dps``), or only the group (``faq``: a route question, whichever)."""
    return want == got or ("/" not in want and "/" in got and want in got.split("/", 1))


def _intent_as_labelled(reading: Reading) -> str:
    return reading.case.intent if same_intent(reading.case.intent, reading.intent) else reading.intent


def same_value(fact: str, want: str | None, got: str | None) -> bool:
    """Equal canonical values; councils by name or alias (routes/councils.yml)."""
    if want is None or got is None:
        return want is None and got is None
    if fact == COUNCIL:
        from routes.councils import councils

        return (councils().find(want) or normalise(want)) == (councils().find(got) or normalise(got))
    return want == got


def f1(true_positive: int, false_positive: int, false_negative: int) -> float:
    if true_positive == 0:
        return 0.0 if false_positive or false_negative else 1.0
    precision = true_positive / (true_positive + false_positive)
    recall = true_positive / (true_positive + false_negative)
    return 2 * precision * recall / (precision + recall)


def intent_accuracy(readings: Sequence[Reading]) -> float:
    if not readings:
        return 0.0
    return sum(same_intent(r.case.intent, r.intent) for r in readings) / len(readings)


def intent_f1(readings: Sequence[Reading]) -> float:
    """Weighted intent F1, as Rasa reports it."""
    from sklearn.metrics import f1_score

    if not readings:
        return 0.0
    return float(f1_score([r.case.intent for r in readings], [_intent_as_labelled(r) for r in readings],
                          average="weighted", zero_division=0))


def value_f1(readings: Sequence[Reading], fact: str) -> float:
    """Canonical-value F1 of one fact (council: only on lines that name one)."""
    counts: Counter = Counter()
    for r in readings:
        want, got = r.case.facts.get(fact), r.facts.get(fact)
        if not r.case.facts_scored or (fact == COUNCIL and want is None):
            continue
        if want is not None and got is not None and same_value(fact, want, got):
            counts["tp"] += 1
        else:
            counts["fp"] += got is not None
            counts["fn"] += want is not None
    return f1(counts["tp"], counts["fp"], counts["fn"])


def support(readings: Sequence[Reading], fact: str) -> int:
    """Lines that state the fact."""
    return sum(r.case.facts.get(fact) is not None for r in readings)


def wrong_facts(reading: Reading, facts: Sequence[str]) -> list[str]:
    if not reading.case.facts_scored:
        return []
    return [f for f in facts if not (f == COUNCIL and reading.case.facts.get(f) is None)
            and not same_value(f, reading.case.facts.get(f), reading.facts.get(f))]


def value_confusion(readings: Sequence[Reading], fact: str) -> list[tuple[str, str, int]]:
    """(expected, predicted, count) for every pair that differs, most frequent first;
    `NOT_SAID` stands for no value."""
    pairs = Counter(
        (r.case.facts.get(fact, NOT_SAID), r.facts.get(fact, NOT_SAID))
        for r in readings if wrong_facts(r, [fact])
    )
    return [(want, got, n) for (want, got), n in sorted(pairs.items(), key=lambda item: (-item[1], item[0]))]


def intent_confusion(readings: Sequence[Reading]) -> list[tuple[str, str, int]]:
    pairs = Counter((r.case.intent, r.intent) for r in readings if not same_intent(r.case.intent, r.intent))
    return [(want, got, n) for (want, got), n in sorted(pairs.items(), key=lambda item: (-item[1], item[0]))]


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (numpy's default)."""
    import numpy

    return float(numpy.percentile(list(values), q)) if values else 0.0


@dataclass(frozen=True)
class Mistake:
    """A held-out line read wrongly: the intent, and each fact whose value is wrong."""

    text: str
    intent: str
    want_intent: str
    wrong: dict[str, tuple[str, str]]  # fact -> (found, wanted)

    @property
    def intent_right(self) -> bool:
        return same_intent(self.want_intent, self.intent)

    def __str__(self) -> str:
        return (f"{self.text!r}: intent {self.intent} (want {self.want_intent})"
                + "".join(f", {f} {got} (want {want})" for f, (got, want) in self.wrong.items()))


def mistakes(readings: Sequence[Reading], facts: Sequence[str]) -> list[Mistake]:
    """The lines read wrongly."""
    found = []
    for r in readings:
        wrong = {f: (r.facts.get(f, NOT_SAID), r.case.facts.get(f, NOT_SAID)) for f in wrong_facts(r, facts)}
        if wrong or not same_intent(r.case.intent, r.intent):
            found.append(Mistake(r.case.text, r.intent, r.case.intent, wrong))
    return found


@dataclass
class SetReport:
    """The figures for one held-out set, on its lines that are not training text."""

    name: str
    path: str
    lines: int  # in the file
    left_out: list[str]  # also training text: not scored
    intent_f1: float
    intent_accuracy: float
    facts: dict[str, float]  # value F1 per fact the set annotates
    support: dict[str, int]
    not_annotated: list[str]  # facts of the tree the set never states
    fact_confusion: dict[str, list[tuple[str, str, int]]]
    intent_confusion: list[tuple[str, str, int]]
    parse_p50_ms: float
    parse_p95_ms: float
    slowest: list[tuple[float, str]] = field(default_factory=list)
    mistakes: list[Mistake] = field(default_factory=list)
    # The second annotator (sets.SECOND_ANNOTATION): lines labelled twice, the two labels'
    # value F1 per fact (the writer's as the reference), and the model's on the lines where
    # the two agree.
    second_lines: int = 0
    agreement: dict[str, float] = field(default_factory=dict)
    where_agreed: dict[str, float] = field(default_factory=dict)

    def figures(self) -> dict[str, float]:
        """The figures floors are set on, named as in `figure_names`."""
        return {"intent_f1": self.intent_f1, "intent_accuracy": self.intent_accuracy, **self.facts}

    def mistakes_in(self, figure: str) -> list[str]:
        """The mistakes that cost a figure (a wrong intent, or a wrong value of that fact)."""
        return [str(m) for m in self.mistakes
                if (not m.intent_right if figure.startswith("intent") else figure in m.wrong)]


def figure_names(held_out: HeldOutSet) -> list[str]:
    """What a set measures: ``intent_f1``, ``intent_accuracy``, then each fact it annotates."""
    return ["intent_f1", "intent_accuracy", *held_out.scored]


def agreement(readings: Sequence[Reading], second: Mapping[str, Mapping[str, str]],
              facts: Sequence[str]) -> tuple[int, dict[str, float], dict[str, float]]:
    """On the lines ``second`` labels too ({normalised text: facts}): how many, the value F1
    of the second labels against the set's for each of ``facts``, and the model's value F1
    on the lines where the two labels of that fact agree. The second labels are read as the
    set's are, as the slots they leave (`slots_after`, from ``facts`` alone)."""
    both = [r for r in readings if normalise(r.case.text) in second]
    slots = {normalise(r.case.text): slots_after(second[normalise(r.case.text)], facts) for r in both}
    as_second = [Reading(r.case, r.case.intent, slots[normalise(r.case.text)], frozenset(), 0.0) for r in both]
    agreed = {f: value_f1(as_second, f) for f in facts}
    where = {f: value_f1([r for r in both if r.case.facts.get(f) == slots[normalise(r.case.text)].get(f)], f)
             for f in facts}
    return len(both), agreed, where


def report(held_out: HeldOutSet, model: NluModel, trained: Iterable[str], slowest: int = 10,
           second: tuple[Sequence[str], Mapping[str, Mapping[str, str]]] = ((), {})) -> SetReport:
    """Score one set on its lines that are not also training text (``trained``, normalised);
    ``second``: the second annotator's facts and labels of this set, if any."""
    trained = set(trained)
    fresh = [c for c in held_out.cases if normalise(c.text) not in trained]
    readings = model.read(fresh, held_out.scored)
    times = [r.ms for r in readings]
    second_facts, second_labels = second
    second_lines, agreed, where = agreement(
        readings, second_labels, [f for f in held_out.scored if f in second_facts]) if second_labels else (0, {}, {})
    return SetReport(
        name=held_out.name,
        path=str(held_out.path),
        lines=len(held_out.cases),
        left_out=[c.text for c in held_out.cases if normalise(c.text) in trained],
        intent_f1=intent_f1(readings),
        intent_accuracy=intent_accuracy(readings),
        facts={f: value_f1(readings, f) for f in held_out.scored},
        support={f: support(readings, f) for f in held_out.scored},
        not_annotated=[f for f in FACT_ENTITIES if f not in held_out.scored],
        fact_confusion={f: value_confusion(readings, f) for f in held_out.scored},
        intent_confusion=intent_confusion(readings),
        parse_p50_ms=percentile(times, 50),
        parse_p95_ms=percentile(times, 95),
        slowest=sorted(((r.ms, r.case.text) for r in readings), reverse=True)[:slowest],
        mistakes=mistakes(readings, held_out.scored),
        second_lines=second_lines,
        agreement=agreed,
        where_agreed=where,
    )


# --- floors: what the tests assert, a little below what was measured -----------------------

def suggest_floor(measured: float, margin: float = FLOOR_MARGIN) -> float:
    """measured - margin, rounded down to two decimals (never below 0)."""
    return max(0.0, math.floor(round((measured - margin) * 100, 6)) / 100)


def load_floors(path: Path) -> dict[str, dict[str, float]]:
    """{set name: {figure: floor}} from a floors file (``--print-floors`` writes one)."""
    import yaml

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    floors = data.get("floors")
    if not isinstance(floors, dict) or not floors:
        raise ValueError(f"{path}: expected `floors: {{set name: {{figure: floor}}}}`")
    for name, figures in floors.items():
        for figure, floor in (figures or {}).items():
            if not isinstance(floor, (int, float)) or not 0 <= floor <= 1:
                raise ValueError(f"{path}: floor {name}.{figure} must be a number from 0 to 1, got {floor!r}")
    return {str(name): {str(k): float(v) for k, v in (figures or {}).items()} for name, figures in floors.items()}


def below_floors(measured: Mapping[str, float], floors: Mapping[str, float]) -> list[str]:
    """Each figure under its floor, or floored but not measured, as a sentence."""
    return [f"{figure}: measured {measured[figure]:.3f}, floor {floor:.2f}" if figure in measured
            else f"{figure}: has a floor ({floor:.2f}) but the set does not measure it"
            for figure, floor in floors.items()
            if figure not in measured or measured[figure] < floor]
