"""`make evaluate`: train on data/nlu, score the two held-out sets, print the figures.

- tests/nlu/heldout.yml (Rasa NLU format, annotated spans): Rasa's reports go under
  results/nlu/; the combined pipeline's canonical-value F1 per fact entity is printed beside
  them (for the facts the file annotates).
- tests/nlu/heldout-situations.yml (``situations:`` text, intent, facts): intent accuracy and
  F1, and per-fact value F1 of what the slots would hold after the message plus the nation
  inferred as the walker does (tests/nlu/scoring.py). Only the figures are printed; the lines
  missed go to results/nlu/situations-mistakes.txt. The set is written blind: don't tune the
  data or patterns on its lines.

Both are also scored on their lines that are not training lines. Targets: every figure
>= 0.95, training <= 120 s on 2 cores.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.nlu.scoring import (
    FACT_ENTITIES, SITUATIONS, entity_value_f1, fact_value_f1, intent_accuracy, load_examples, load_situations,
    mistakes, parse_all, situation_facts, situation_intent_accuracy, situation_intent_f1, situation_mistakes,
    training_texts, understand, unseen,
)

ROOT = Path(__file__).resolve().parents[2]
RASA = str(Path(sys.executable).with_name("rasa"))
OUT = ROOT / "results" / "nlu"
MODEL_DIR = ROOT / "build" / "evaluate"
CONTRACT_ENTITIES = ("stage", "registration", "capacity")


def run(*args: str) -> None:
    subprocess.run([RASA, *args], cwd=ROOT, check=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})


def main() -> int:
    started = time.monotonic()
    run("train", "nlu", "--nlu", "data/nlu", "--out", str(MODEL_DIR), "--fixed-model-name", "nlu", "--quiet")
    training_seconds = time.monotonic() - started
    model = MODEL_DIR / "nlu.tar.gz"
    run("test", "nlu", "--nlu", "tests/nlu/heldout.yml", "--model", str(model), "--out", str(OUT))

    intent_report = json.loads((OUT / "intent_report.json").read_text())
    print(f"\nNLU training time: {training_seconds:.0f} s (target <= 120 s)")
    print(f"Intent F1 (weighted, held-out, {intent_report['weighted avg']['support']} examples): "
          f"{intent_report['weighted avg']['f1-score']:.3f}  (macro {intent_report['macro avg']['f1-score']:.3f})")
    for report in sorted(OUT.glob("*_report.json")):
        if report.name == "intent_report.json":
            continue
        entities = json.loads(report.read_text())
        figures = ", ".join(
            f"{name} {entities[name]['f1-score']:.3f}" for name in CONTRACT_ENTITIES if name in entities
        )
        if figures:
            print(f"Rasa entity F1, {report.stem.replace('_report', '')}: {figures}")

    parsed = parse_all(model, load_examples())
    trained = training_texts()
    annotated = [n for n in FACT_ENTITIES if any(e == n for p in parsed for e, _ in p.example.entities)]
    fresh = [p for p, new in zip(parsed, unseen([p.example.text for p in parsed], trained)) if new]
    for label, subset in (("all held-out", parsed), (f"held-out lines not also in training ({len(fresh)})", fresh)):
        values = entity_value_f1(subset)
        print(f"Whole pipeline, {label}: intent accuracy {intent_accuracy(subset):.3f}; canonical value F1 "
              + ", ".join(f"{n} {values[n]:.3f}" for n in annotated))
    errors = mistakes(parsed, annotated)
    (OUT / "mistakes.txt").write_text("\n".join(errors) + "\n")
    print(f"{len(errors)} held-out examples not fully right: see results/nlu/mistakes.txt")

    situations = load_situations(SITUATIONS)
    understood = understand(model, situations)
    names = situation_facts(situations)
    fresh = [u for u, new in zip(understood, unseen([s.text for s in situations], trained)) if new]
    print(f"\nSituations ({SITUATIONS.name}): facts after one message, nation inferred as the walker does")
    for label, subset in ((f"all {len(understood)}", understood), (f"not also in training ({len(fresh)})", fresh)):
        values = fact_value_f1(subset, names)
        print(f"  {label}: intent accuracy {situation_intent_accuracy(subset):.3f}, "
              f"F1 (weighted) {situation_intent_f1(subset):.3f}; value F1 "
              + ", ".join(f"{n} {values[n]:.3f}" for n in names))
    missed = situation_mistakes(understood, names)
    (OUT / "situations-mistakes.txt").write_text("\n".join(missed) + "\n")
    print(f"  {len(missed)} situations not fully right (results/nlu/situations-mistakes.txt)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
