"""`make evaluate`: score the trained model on each held-out set, print the figures.

    python -m language.evaluation [--model models/route-advisor.tar.gz] [--set PATH ...]
    python -m language.evaluation --write-floors     # re-sets tests/nlu/floors.yml
    python -m language.evaluation --dev              # also the development set, marked as such

It never trains. Per set, on the lines that are not also training text: intent F1 (weighted)
and accuracy, canonical-value F1 per fact, the confusions between values, parse p50/p95 and
the slowest lines. The lines read wrongly go to results/nlu/<set>-mistakes.txt, every figure
to results/nlu/evaluation.json. --write-floors re-sets the test floors (tests/nlu/floors.yml)
to each figure minus 0.02, rounded down; --print-floors prints that file to stdout instead
(the report then goes to stderr). --dev adds the development set (language/evaluation/
dev-situations.yml), the one set whose mistakes may be read to improve the patterns and data.
Where a set's lines carry a second, blind label (tests/nlu/second-annotation.yml), it also
prints how far the two annotators agree, and the model's figures where they do.
"""
from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

from language.contract import REPO_ROOT
from language.evaluation.scoring import (
    FLOOR_MARGIN,
    NluModel,
    SetReport,
    report,
    suggest_floor,
)
from language.evaluation.sets import (
    DEV_SET,
    HELD_OUT_DIR,
    HELD_OUT_SETS,
    load_second_annotation,
    load_set,
    load_sets,
    training_texts,
)

MODEL = REPO_ROOT / "models" / "route-advisor.tar.gz"
OUT = REPO_ROOT / "results" / "nlu"
FLOORS = HELD_OUT_DIR / "floors.yml"
TARGET = 0.95


def _shown(path: str) -> str:
    """A path relative to the project when it is inside it."""
    try:
        return str(Path(path).resolve().relative_to(REPO_ROOT))
    except ValueError:
        return path


def print_report(r: SetReport, out: TextIO) -> None:
    def say(line: str = "") -> None:
        print(line, file=out)

    scored = r.lines - len(r.left_out)
    say(f"\n== {r.name} ({_shown(r.path)}): {scored} lines scored, {len(r.left_out)} of {r.lines} left out as training text")
    say(f"intent: F1 (weighted) {r.intent_f1:.3f}, accuracy {r.intent_accuracy:.3f}   (target {TARGET})")
    say("value F1 per fact (lines stating it):")
    for fact, value in r.facts.items():
        mark = "" if value >= TARGET else "  below target"
        say(f"  {fact:<13} {value:.3f} ({r.support[fact]}){mark}")
    if r.not_annotated:
        say(f"  not annotated in this set: {', '.join(r.not_annotated)}")
    confused = {f: pairs for f, pairs in r.fact_confusion.items() if pairs}
    if confused or r.intent_confusion:
        say("confusions (expected -> predicted: count), most frequent first:")
    if r.intent_confusion:
        say("  intent: " + ", ".join(f"{w} -> {g}: {n}" for w, g, n in r.intent_confusion))
    for fact, pairs in confused.items():
        say(f"  {fact}: " + ", ".join(f"{w} -> {g}: {n}" for w, g, n in pairs))
    if r.agreement:
        say(f"a second annotator, blind to these labels, on {r.second_lines} lines "
            "(value F1 of the two annotators; the model's on the lines where they agree):")
        for fact, value in r.agreement.items():
            say(f"  {fact:<13} annotators {value:.3f}, model where they agree {r.where_agreed[fact]:.3f}")
    say(f"parse: p50 {r.parse_p50_ms:.1f} ms, p95 {r.parse_p95_ms:.1f} ms; slowest:")
    for ms, text in r.slowest:
        say(f"  {ms:7.1f} ms  {text!r}")


def floors_file(reports: list[SetReport], model: Path) -> str:
    """The floors file tests/nlu/test_heldout.py and test_situations.py read."""
    digest = hashlib.sha256(model.read_bytes()).hexdigest()[:12]
    lines = [
        "# Floors the NLU tests assert, per held-out set, on its lines not also in training:",
        f"# each figure `python -m language.evaluation` measured minus {FLOOR_MARGIN}, rounded down.",
        "# Re-set after retraining: python -m language.evaluation --write-floors",
        f"# Measured {datetime.date.today().isoformat()} with {model.name} (sha256 {digest}...).",
        "floors:",
    ]
    for r in reports:
        lines.append(f"  {r.name}:")
        for figure, measured in r.figures().items():
            lines.append(f"    {figure}: {suggest_floor(measured):.2f}  # measured {measured:.3f}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m language.evaluation", description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=MODEL, help="the trained model (default: %(default)s)")
    parser.add_argument("--set", dest="sets", type=Path, action="append",
                        help="a held-out set (repeatable; default: every one in tests/nlu/, HELD_OUT_SETS)")
    parser.add_argument("--dev", action="store_true",
                        help=f"also score the development set, {DEV_SET.relative_to(REPO_ROOT)} (not unseen text)")
    parser.add_argument("--out", type=Path, default=OUT, help="where mistakes and figures go (default: %(default)s)")
    parser.add_argument("--print-floors", action="store_true",
                        help="print the floors file to stdout (the report goes to stderr)")
    parser.add_argument("--write-floors", action="store_true",
                        help=f"re-set the floors in {FLOORS.relative_to(REPO_ROOT)} from this run")
    args = parser.parse_args(argv)
    if args.write_floors and args.sets:
        parser.error("--write-floors re-sets the floors of every held-out set: leave out --set")

    if not args.model.is_file():
        print(f"No trained model at {args.model}: run `make model` first.", file=sys.stderr)
        return 2
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's info lines
    out = sys.stderr if args.print_floors else sys.stdout
    sets = load_sets(args.sets or HELD_OUT_SETS)
    dev = load_set(DEV_SET) if args.dev else None
    trained = training_texts()
    second_facts, second = load_second_annotation()
    model = NluModel(args.model)
    args.out.mkdir(parents=True, exist_ok=True)
    reports = []
    for held_out in [*sets, dev] if dev else sets:
        r = report(held_out, model, trained, second=(second_facts, second.get(held_out.name, {})))
        if held_out is dev:
            print("\n(The development set is looked at to improve the layers: its figures are not on unseen text.)", file=out)
        print_report(r, out)
        mistakes_file = args.out / f"{r.name}-mistakes.txt"
        mistakes_file.write_text("".join(f"{m}\n" for m in r.mistakes), encoding="utf-8")
        print(f"{len(r.mistakes)} lines not fully right: {mistakes_file}", file=out)
        if held_out is not dev:
            reports.append(r)
    (args.out / "evaluation.json").write_text(
        json.dumps({"model": str(args.model), "sets": [asdict(r) for r in reports]}, indent=1, ensure_ascii=False),
        encoding="utf-8",
    )
    if args.print_floors:
        sys.stdout.write(floors_file(reports, args.model))
    if args.write_floors:
        FLOORS.write_text(floors_file(reports, args.model), encoding="utf-8")
        print(f"\nFloors re-set in {FLOORS}", file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
