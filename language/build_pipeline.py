"""Build the spaCy pipeline that Rasa's SpacyNLP loads (config.yml).

    python -m language.build_pipeline [out_dir]     # default build/spacy/en_route_advisor

A blank English pipeline: lookup lemmatizer (spacy-lookups-data) + entity_ruler with
the patterns in language/patterns/*.yml + a span_ruler "mentions" with the patterns in
language/mentions/*.yml and the council names of routes/councils.yml. No statistical
model, so the build is deterministic and takes a few seconds. A malformed pattern file or
a value that is not canonical (a fact's answers in routes/decision-tree.yml) stops the
build with a message naming the file.

The Rasa model does not contain this pipeline: SpacyNLP loads it by name at train *and*
run time. `make spacy` builds it here, packages it (`spacy package`, a wheel in
build/spacy/dist/) and installs the package ``en_route_advisor`` into the venv, so config.yml
names the package and Rasa finds it from any working directory. The package version is
PIPELINE_VERSION plus a digest of everything the pipeline is made of, so a changed pipeline
is a new version, and an image or venv says which one it has.
"""
from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Optional

from language.contract import REPO_ROOT, allowed_values
from language.facts import SPANS_KEY
from language.mentions import MENTIONS_DIR, canonical_values, mention_patterns
from language.pattern_format import PatternError, load_dir

PATTERNS_DIR = REPO_ROOT / "language" / "patterns"
DEFAULT_OUT = Path("build/spacy/en_route_advisor")
PIPELINE_VERSION = "1.0.0"


def make_nlp(
    patterns_dir: Path = PATTERNS_DIR, tree_path: Optional[Path] = None, mentions_dir: Path = MENTIONS_DIR
):
    """The pipeline in memory (used by the build and by the tests)."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    # Patterns are validated by language.pattern_format (naming the file), not by the rulers.
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER", "overwrite_ents": True})
    # Facts that may overlap the ruler's and each other (regulator, service, ...) and councils:
    # every match is kept in doc.spans["mentions"]; language/facts.py picks the winners.
    mentions = nlp.add_pipe(
        "span_ruler", name="mentions", config={"spans_key": SPANS_KEY, "phrase_matcher_attr": "LOWER", "overwrite": True}
    )
    nlp.initialize()  # loads the lemma tables; it would also empty the rulers, so patterns come after
    allowed = canonical_values(tree_path)
    patterns = load_dir(patterns_dir, nlp, allowed_values(tree_path))
    spans = mention_patterns(nlp, allowed, mentions_dir)
    with nlp.select_pipes(disable=["lemmatizer", "mentions"]):  # phrase patterns need tokens only
        ruler.add_patterns(patterns)
    with nlp.select_pipes(disable=["lemmatizer", "entity_ruler"]):
        mentions.add_patterns(spans)
    digest = hashlib.sha256()
    digest.update(json.dumps([patterns, spans], sort_keys=True).encode())
    digest.update(nlp.config.to_str().encode())
    digest.update(nlp.get_pipe("lemmatizer").lookups.to_bytes())
    nlp.meta.update(
        name="route_advisor",
        # A PEP 440 local version: pip installs a rebuilt pipeline as the upgrade it is.
        version=f"{PIPELINE_VERSION}+{digest.hexdigest()[:12]}",
        description="Blank English + lookup lemmatizer + entity_ruler (facts) + span_ruler (mentions, councils)",
        patterns_count=len(patterns),
        mentions_count=len(spans),
    )
    return nlp


def build(out_dir: Path = DEFAULT_OUT, patterns_dir: Path = PATTERNS_DIR) -> Path:
    nlp = make_nlp(patterns_dir)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out_dir)
    return out_dir


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1 or (args and args[0].startswith("-")):
        print("usage: python -m language.build_pipeline [out_dir]", file=sys.stderr)
        return 2
    started = time.monotonic()
    try:
        out = build(Path(args[0]) if args else DEFAULT_OUT)
    except PatternError as exc:
        print(f"error: bad pattern file: {exc}", file=sys.stderr)
        return 1
    meta = json.loads((out / "meta.json").read_text())
    print(
        f"built {out} version {meta['version']} ({meta['patterns_count']} patterns, "
        f"{meta['mentions_count']} mention patterns) "
        f"in {time.monotonic() - started:.1f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
