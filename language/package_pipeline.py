"""Package the built spaCy pipeline as a wheel, so Rasa loads it by name from anywhere.

    python -m language.package_pipeline [pipeline_dir] [dist_dir]
    # defaults: build/spacy/en_route_advisor build/spacy/dist

Why: SpacyNLP (config.yml) loads ``en_route_advisor`` with ``spacy.load``; as an installed
package it needs neither the source tree nor a working directory. This is spaCy's own
``spacy package`` (called as a function: the ``spacy`` command of spaCy 3.4 breaks under the
click 8.2+ that Rasa's pins allow), built into a wheel by pip. ``dist_dir`` is emptied and then holds only the new wheel,
named with the pipeline's version (language/build_pipeline.py), ready for ``pip install``.
Besides spaCy's built-in factories the pipeline has ours, the spelling step and the rulers
indexed by first word: the wheel carries their modules (``spacy package --code
language/spelling.py,language/first_word.py``, imported by the package's ``__init__``), so
loading it needs symspellpy (a requirement in its meta) but nothing from the source tree.

The package's ``load`` returns the pipeline it already loaded in this process for the same
arguments. Why: Rasa's SpacyNLP loads its model once for each of its two graph nodes (the one
that provides the model and the one that processes messages), and compiling our rulers'
patterns takes about 20 s a load, at every training and every start of Rasa.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from language.build_pipeline import DEFAULT_OUT, PACKAGED_CODE

DEFAULT_DIST = Path("build/spacy/dist")

# What spaCy 3.4's `spacy package` writes as the package's loader, and ours in its place.
SPACY_LOAD = """
def load(**overrides):
    return load_model_from_init_py(__file__, **overrides)
"""
REMEMBERING_LOAD = """
_loaded = {}


def load(**overrides):
    \"\"\"The pipeline, loaded once per process for the same arguments (language/package_pipeline.py).\"\"\"
    key = repr(sorted(overrides.items()))
    if key not in _loaded:
        _loaded[key] = load_model_from_init_py(__file__, **overrides)
    return _loaded[key]
"""


def remember_loads(init_py: Path) -> None:
    """Replace the generated package's ``load`` with one that loads the pipeline once."""
    text = init_py.read_text(encoding="utf-8")
    if SPACY_LOAD not in text:
        raise RuntimeError(f"{init_py}: spaCy's package template changed; its load() is not the one expected")
    init_py.write_text(text.replace(SPACY_LOAD, REMEMBERING_LOAD), encoding="utf-8")


def package_wheel(pipeline_dir: Path = DEFAULT_OUT, dist_dir: Path = DEFAULT_DIST) -> Path:
    """Build the wheel of ``pipeline_dir`` and leave it alone in ``dist_dir``."""
    from spacy.cli.package import package

    dist_dir = Path(dist_dir)
    with tempfile.TemporaryDirectory(prefix="spacy-package-") as work:
        package(
            Path(pipeline_dir), Path(work), code_paths=list(PACKAGED_CODE),
            create_sdist=False, create_wheel=False, force=True,
        )
        (source,) = Path(work).iterdir()
        (init_py,) = source.glob("*/__init__.py")
        remember_loads(init_py)
        shutil.rmtree(dist_dir, ignore_errors=True)
        # pip's build rather than spaCy's `setup.py bdist_wheel`: same wheel, without
        # setuptools' deprecation banner; offline, with the venv's setuptools and wheel.
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "-q", "--disable-pip-version-check", "--no-deps",
             "--no-build-isolation", "--wheel-dir", str(dist_dir), str(source)],
            check=True,
        )
    (wheel,) = dist_dir.glob("*.whl")
    return wheel


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 2 or any(a.startswith("-") for a in args):
        print("usage: python -m language.package_pipeline [pipeline_dir] [dist_dir]", file=sys.stderr)
        return 2
    paths = [Path(a) for a in args] + [DEFAULT_OUT, DEFAULT_DIST][len(args):]
    print(package_wheel(*paths))
    return 0


if __name__ == "__main__":
    sys.exit(main())
