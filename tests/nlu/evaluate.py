"""`make evaluate`: train on data/nlu, score tests/nlu/heldout.yml, print the figures.

Rasa's reports go under results/nlu/; the combined pipeline's canonical-value F1 per fact
entity is printed beside them. Targets: every figure >= 0.95, training <= 120 s on 2 cores.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.nlu.scoring import (
    FACT_ENTITIES, entity_value_f1, intent_accuracy, load_examples, mistakes, parse_all, training_texts,
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
    unseen = [p for p in parsed if p.example.text.lower() not in trained]
    for label, subset in (("all held-out", parsed), (f"held-out lines not also in training ({len(unseen)})", unseen)):
        values = entity_value_f1(subset)
        print(f"Whole pipeline, {label}: intent accuracy {intent_accuracy(subset):.3f}; canonical value F1 "
              + ", ".join(f"{n} {values[n]:.3f}" for n in FACT_ENTITIES))
    errors = mistakes(parsed)
    (OUT / "mistakes.txt").write_text("\n".join(errors) + "\n")
    print(f"{len(errors)} held-out examples not fully right: see results/nlu/mistakes.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
