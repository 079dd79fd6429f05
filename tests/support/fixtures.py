"""Shared pytest fixtures: the real assistant and the demo host page.

Loaded for every test by tests/conftest.py (pytest_plugins). A missing model is an
error, never a skip: these tests exist to exercise the real assistant.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.servers import REPO_ROOT, running_assistant

ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", REPO_ROOT / "test-artifacts"))


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """test-artifacts/ (gitignored): screenshots and server logs; each pytest-xdist worker
    has its own folder in it, since each runs its own session's assistant."""
    folder = ARTIFACTS / os.environ.get("PYTEST_XDIST_WORKER", "")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def assistant(artifacts_dir):
    """Rasa + action server from models/ on free 127.0.0.1 ports (CORS: *).

    Attributes: rasa_url, actions_url, stop_rasa(), start_rasa(), rasa_log, actions_log.
    ROUTE_ADVISOR_PROJECT_DIR runs another Rasa project instead (its models/, actions and yml files).
    """
    project_dir = os.environ.get("ROUTE_ADVISOR_PROJECT_DIR", str(REPO_ROOT))
    with running_assistant(model_dir="models", cors="*", log_dir=artifacts_dir / "logs",
                           project_dir=project_dir) as bot:
        yield bot


@pytest.fixture(scope="session")
def demo_server(assistant):
    """The demo host page (demo/ + widget/dist/) on a free 127.0.0.1 port, wired to `assistant`.

    Attributes: url (the page), origin, server_url (the Rasa URL the page embeds).
    Requires a built widget (make widget-build).
    """
    from demo.serve import running_demo

    with running_demo(server_url=assistant.rasa_url, port=0) as demo:
        yield demo
