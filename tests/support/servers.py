"""Start the real assistant (Rasa + action server) on free loopback ports for tests.

Usage::

    from tests.support.servers import running_assistant

    with running_assistant() as bot:
        requests.post(f"{bot.rasa_url}/webhooks/rest/webhook", json={...})
        bot.stop_rasa()   # simulate an outage (the port stays reserved for us)
        bot.start_rasa()  # back up on the same port

Both servers run in their own process groups and are always killed on exit.
If either fails to come up, the tail of its log is printed and RuntimeError raised.
"""
from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Union

REPO_ROOT = Path(__file__).resolve().parents[2]
# Rasa takes about 50 s to load on its own; with `make test`'s two pytest workers sharing the
# two cores it can take twice that, so the wait before calling a start failed is generous.
DEFAULT_START_TIMEOUT = float(os.environ.get("ROUTE_ADVISOR_START_TIMEOUT", "240"))


_HANDED_OUT: set = set()


def ephemeral_ports() -> tuple:
    """The kernel's range for outgoing connections' local ports."""
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def _port_range() -> tuple:
    """The 12,000 ports below the ephemeral range, or this pytest-xdist worker's share of
    them: two workers never hand out the same port, even before either server binds it."""
    low, _ = ephemeral_ports()
    start, end = max(1025, low - 12000), low - 1
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT") or 1)
    worker = int((os.environ.get("PYTEST_XDIST_WORKER") or "gw0").lstrip("gw") or 0)
    share = (end - start + 1) // workers
    return start + worker * share, start + (worker + 1) * share - 1


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now, below the ephemeral range and never handed out
    before in this process. Why: Rasa binds its port only after loading the model (about 40
    s); a port from bind(0) is an ephemeral one, which an outgoing connection can take in
    the meantime ("address already in use")."""
    low, _ = ephemeral_ports()
    first, last = _port_range()
    for _ in range(500):
        port = random.randint(first, last)
        if port in _HANDED_OUT:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _HANDED_OUT.add(port)
        return port
    raise RuntimeError(f"no free TCP port found below the ephemeral range ({low})")


def _venv_bin(name: str) -> str:
    """The executable `name` beside the running interpreter (the project venv), else on PATH."""
    candidate = Path(sys.executable).parent / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"cannot find the `{name}` executable (is the venv active?)")
    return found


def find_model(model_dir: Union[str, Path] = "models") -> Path:
    """The newest trained model in model_dir; raises (never skips) when there is none."""
    path = Path(model_dir)
    if not path.is_absolute():
        path = REPO_ROOT / path
    models = sorted(path.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime) if path.is_dir() else []
    if not models:
        raise RuntimeError(
            f"No trained model in {path}: run `make model` first (tests need the real assistant)."
        )
    return models[-1]


def _http_get(url: str, timeout: float = 2.0) -> Optional[str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.read().decode("utf-8", "replace")
    except (urllib.error.URLError, ConnectionError, OSError):
        return None


def tail(path: Path, lines: int = 60) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


class _Process:
    """One server in its own process group, logging to a file."""

    def __init__(self, name: str, argv: Sequence[str], env: dict, log_path: Path, cwd: Path):
        self.name, self.argv, self.env, self.log_path, self.cwd = name, list(argv), env, log_path, cwd
        self.proc: Optional[subprocess.Popen] = None

    def start(self) -> None:
        log = open(self.log_path, "ab")
        log.write(f"\n===== starting {self.name}: {' '.join(self.argv)}\n".encode())
        log.flush()
        self.proc = subprocess.Popen(
            self.argv,
            cwd=self.cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group, so we can kill it whole
        )
        log.close()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, grace: float = 10.0) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=wait)
                # the leader is gone; make sure no child of the group survives
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                break
            except subprocess.TimeoutExpired:
                continue


class Assistant:
    """Handle on the running servers, yielded by running_assistant()."""

    def __init__(self, model: Path, cors: Sequence[str], log_dir: Path, timeout: float,
                 project_dir: Path = REPO_ROOT, actions: str = "actions",
                 env: Optional[Dict[str, str]] = None, rasa_args: Sequence[str] = ()):
        self.model = model
        self.cors = list(cors)
        self.log_dir = log_dir
        self.timeout = timeout
        self.rasa_port = free_port()
        self.actions_port = free_port()
        self.rasa_url = f"http://127.0.0.1:{self.rasa_port}"
        self.actions_url = f"http://127.0.0.1:{self.actions_port}"
        base_env = dict(os.environ)
        base_env.update(
            TF_CPP_MIN_LOG_LEVEL="2",
            RASA_TELEMETRY_ENABLED="false",
            SQLALCHEMY_SILENCE_UBER_WARNING="1",
            PYTHONUNBUFFERED="1",
            # rasa_sdk has no --interface option; it binds to SANIC_HOST (default 0.0.0.0)
            SANIC_HOST="127.0.0.1",
            ACTION_ENDPOINT_URL=f"{self.actions_url}/webhook",
            # each test's conversations in its own SQLite file, the default persistence
            TRACKER_STORE_URL=f"sqlite:///{log_dir / 'conversations.db'}",
            # tests talk faster than any visitor; tests of the rate limits set their own in `env`
            RATE_LIMIT_VISITOR="0",
            RATE_LIMIT_IP="0",
            # the socket.io channel's origin check follows the same origins as --cors
            # (not whatever `make` exported for `make run`)
            ALLOWED_ORIGINS=" ".join(self.cors),
        )
        base_env.update(env or {})
        rasa = _venv_bin("rasa")
        self._actions = _Process(
            "action server",
            [rasa, "run", "actions", "-p", str(self.actions_port), "--actions", actions],
            base_env,
            log_dir / "actions.log",
            project_dir,
        )
        self._rasa = _Process(
            "rasa",
            [
                rasa, "run",
                "-i", "127.0.0.1",
                "-p", str(self.rasa_port),
                "--cors", *self.cors,
                "--credentials", "credentials.yml",
                "--endpoints", "endpoints.yml",
                "-m", str(model),
                *rasa_args,
            ],
            base_env,
            log_dir / "rasa.log",
            project_dir,
        )

    # -- lifecycle -------------------------------------------------------
    def start(self) -> None:
        """Start both servers side by side and wait until both answer."""
        self._actions.start()
        self._rasa.start()
        self._wait_actions()
        self._wait_rasa()

    def _wait_actions(self) -> None:
        self._wait(self._actions, f"{self.actions_url}/health", lambda body: body is not None)

    def _wait_rasa(self) -> None:
        self._wait(self._rasa, f"{self.rasa_url}/", lambda body: body is not None and "Hello from Rasa" in body)

    def start_rasa(self) -> None:
        """Start (or restart after stop_rasa) Rasa on the same port and wait until it answers."""
        if self._rasa.alive():
            return
        self._rasa.start()
        self._wait_rasa()

    def stop_rasa(self) -> None:
        """Kill Rasa (simulates the server going down); start_rasa() brings it back."""
        self._rasa.stop()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and _http_get(f"{self.rasa_url}/", timeout=0.5) is not None:
            time.sleep(0.2)

    def stop_actions(self) -> None:
        """Kill the action server (an outage); start_actions() brings it back on the same port."""
        self._actions.stop()

    def start_actions(self) -> None:
        if not self._actions.alive():
            self._actions.start()
            self._wait_actions()

    def stop(self) -> None:
        self._rasa.stop()
        self._actions.stop()

    @property
    def rasa_log(self) -> Path:
        return self._rasa.log_path

    @property
    def actions_log(self) -> Path:
        return self._actions.log_path

    def _wait(self, server: _Process, url: str, ready) -> None:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if not server.alive():
                break
            if ready(_http_get(url)):
                return
            time.sleep(0.5)
        exited = not server.alive()
        log = tail(server.log_path)
        self.stop()
        why = "exited early" if exited else f"did not answer {url} within {self.timeout:.0f}s"
        message = f"{server.name} {why}. Last lines of {server.log_path}:\n{log}"
        print(f"{server.name} failed to start; see the exception for its log tail", file=sys.stderr)
        raise RuntimeError(message)


@contextlib.contextmanager
def running_assistant(
    model_dir: Union[str, Path] = "models",
    cors: Union[str, Sequence[str]] = "*",
    timeout: float = DEFAULT_START_TIMEOUT,
    log_dir: Optional[Union[str, Path]] = None,
    project_dir: Union[str, Path] = REPO_ROOT,
    actions: str = "actions",
    env: Optional[Dict[str, str]] = None,
    rasa_args: Sequence[str] = (),
) -> Iterator[Assistant]:
    """Run the action server and Rasa on free 127.0.0.1 ports; yield an Assistant.

    model_dir, credentials.yml, endpoints.yml and the actions package are taken
    relative to project_dir (the repository by default). Conversations go to a SQLite file in
    log_dir unless `env` sets TRACKER_STORE_URL; `env` overrides any variable for both servers
    and `rasa_args` are appended to `rasa run`.
    """
    project_dir = Path(project_dir)
    model = find_model(model_dir if Path(model_dir).is_absolute() else project_dir / model_dir)
    origins: List[str] = [cors] if isinstance(cors, str) else list(cors)
    tmp = None
    if log_dir is None:
        tmp = tempfile.mkdtemp(prefix="route-advisor-servers-")
        log_dir = tmp
    log_dir = Path(log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    (log_dir / "conversations.db").unlink(missing_ok=True)
    bot = Assistant(model, origins, log_dir, timeout, project_dir=project_dir, actions=actions,
                    env=env, rasa_args=rasa_args)
    try:
        bot.start()
        yield bot
    finally:
        bot.stop()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
