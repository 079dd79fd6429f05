"""Read a content file (the tree, the councils) that people edit by hand."""
from __future__ import annotations

from pathlib import Path
from typing import Type, Union

import yaml


def read_yaml(path: Union[str, Path], error: Type[ValueError]) -> object:
    """The file's YAML; a syntax error is raised as `error`, naming the file."""
    with open(path, encoding="utf-8") as handle:
        try:
            return yaml.safe_load(handle)
        except yaml.YAMLError as problem:
            raise error(f"{path}: not valid YAML: {problem}") from problem
