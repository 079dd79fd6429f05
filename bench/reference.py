"""The yardstick of issue 7: Rasa's own starter bot (`rasa init`, "moodbot") on the same Rasa.

Created and trained once in build/reference/ (ignored by git) and reused; training takes the
machine-wide training lock, because two trainings at once starve a 2-core machine.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Iterator

import yaml

from tests.support.servers import DEFAULT_START_TIMEOUT, REPO_ROOT, _http_get, _Process, free_port, tail

REFERENCE_DIR = REPO_ROOT / "build" / "reference"
TRAIN_LOCK = Path("/tmp/rasa-train.lock")
# The reference gets the same channels as ours, with Rasa's stock socket.io class.
CREDENTIALS = REFERENCE_DIR / "bench-credentials.yml"


def rasa_executable() -> str:
    return str(REPO_ROOT / ".venv" / "bin" / "rasa")


def trained_model() -> Path | None:
    models = sorted((REFERENCE_DIR / "models").glob("*.tar.gz"))
    return models[-1] if models else None


def ensure_trained() -> Path:
    """The reference model; `rasa init --no-prompt` (which trains) on first use only."""
    if trained_model() is None:
        with open(TRAIN_LOCK, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if trained_model() is None:  # another run may have trained it while we waited
                _init()
    write_credentials()
    return trained_model()


def _init() -> None:
    """Initialise in a scratch folder, then move it into place, so a half-made bot is never reused."""
    scratch = REFERENCE_DIR.with_name(REFERENCE_DIR.name + ".partial")
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.rmtree(REFERENCE_DIR, ignore_errors=True)
    scratch.mkdir(parents=True)  # rasa init refuses a folder that does not exist
    print(f"Creating and training the reference bot (rasa init) in {REFERENCE_DIR} ...", flush=True)
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2")
    log = REFERENCE_DIR.with_name("reference-init.log")
    with open(log, "wb") as output:
        done = subprocess.run([rasa_executable(), "init", "--no-prompt", "--init-dir", str(scratch)],
                              env=env, stdout=output, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        raise RuntimeError(f"rasa init failed:\n{tail(log)}")
    if not list((scratch / "models").glob("*.tar.gz")):
        raise RuntimeError(f"rasa init left no model in {scratch / 'models'}")
    scratch.rename(REFERENCE_DIR)


def write_credentials() -> None:
    """The reference's channels: REST and socket.io with the settings of our credentials.yml."""
    ours = yaml.safe_load((REPO_ROOT / "credentials.yml").read_text())
    [socketio] = [settings for name, settings in ours.items() if name.split(".")[-1] == "SocketIOInput"]
    CREDENTIALS.write_text(yaml.safe_dump({"rest": None, "socketio": socketio}, sort_keys=False))


class Server:
    """`rasa run` of the reference bot on a free loopback port, with its own defaults (in-memory
    tracker store, no action server: its actions/actions.py defines none)."""

    def __init__(self, log_dir: Path, timeout: float):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.timeout = timeout
        env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1")
        self.process = _Process("reference rasa", [
            rasa_executable(), "run", "-i", "127.0.0.1", "-p", str(self.port), "-m", str(ensure_trained()),
            "--credentials", str(CREDENTIALS), "--endpoints", "endpoints.yml", "--cors", "*",
        ], env, log_dir / "reference-rasa.log", REFERENCE_DIR)

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + self.timeout
        while "Hello from Rasa" not in (_http_get(f"{self.url}/") or ""):
            if not self.process.alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the reference bot did not start:\n{tail(self.process.log_path)}")
            time.sleep(0.5)


@contextlib.contextmanager
def serving(log_dir: Path, timeout: float = DEFAULT_START_TIMEOUT) -> Iterator[Server]:
    """Starts the reference bot and yields at once, so it can load while other servers start:
    call wait_until_up() before use. Stopped on exit."""
    server = Server(log_dir, timeout)
    server.process.start()
    try:
        yield server
    finally:
        server.process.stop()
