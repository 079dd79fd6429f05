"""Real PostgreSQL and Redis servers for tests, on free loopback ports, in temp directories.

    with running_postgres() as pg:      # pg.url = postgresql://route_advisor:...@127.0.0.1:PORT/route_advisor
        ...
        pg.stop(); pg.start()           # a database outage, then the same data back
    with running_redis() as redis:      # redis.url = redis://127.0.0.1:PORT/1

Both come from Debian's packages (`make services-deps` installs them). PostgreSQL refuses to
run as root, so as root its commands run as the `postgres` user. A missing server is an error
naming the package, never a skipped test.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Callable, ContextManager, Iterator, List, Optional, TypeVar

from tests.support.servers import free_port

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
T = TypeVar("T")
PG_USER, PG_PASSWORD, PG_DB = "route_advisor", "route-advisor-test", "route_advisor"


def _require(path: Path, package: str) -> str:
    if not path.exists():
        raise RuntimeError(f"{path} is missing: run `make services-deps` (apt-get install {package})")
    return str(path)


def _port_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


def _wait_port(port: int, what: str, up: bool = True, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _port_open(port) == up:
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what} on port {port} did not {'start' if up else 'stop'} within {timeout:.0f} s")


class Postgres:
    """A PostgreSQL 15 cluster of its own: initdb, start, stop, with one database and user."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.port = free_port()
        self.url = f"postgresql://{PG_USER}:{PG_PASSWORD}@127.0.0.1:{self.port}/{PG_DB}"
        self._as_postgres: List[str] = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *argv: str) -> None:
        subprocess.run([*self._as_postgres, *argv], check=True, capture_output=True, cwd=self.root)

    def init(self) -> None:
        initdb = _require(PG_BIN / "initdb", "postgresql-15")
        if self._as_postgres:
            shutil.chown(self.root, "postgres")
        self._run(initdb, "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()
        psql = _require(PG_BIN / "psql", "postgresql-15")
        sql = (f"CREATE USER {PG_USER} PASSWORD '{PG_PASSWORD}'; "
               f"CREATE DATABASE {PG_DB} OWNER {PG_USER};")
        for statement in sql.split("; "):
            self._run(psql, "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-c", statement)

    def start(self) -> None:
        self._run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "postgres.log"), "-w",
            "-o", f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off",
            "start",
        )
        _wait_port(self.port, "PostgreSQL")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        _wait_port(self.port, "PostgreSQL", up=False)

    def query(self, sql: str) -> str:
        """Runs one SQL statement as the app's user; returns psql's unaligned output."""
        out = subprocess.run(
            [str(PG_BIN / "psql"), self.url, "-At", "-c", sql],
            check=True, capture_output=True, text=True,
        )
        return out.stdout.strip()


class Redis:
    """A redis-server with no persistence, on loopback."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/1"
        self.proc: Optional[subprocess.Popen] = None

    def start(self) -> None:
        binary = _require(Path(shutil.which("redis-server") or "/usr/bin/redis-server"), "redis-server")
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.root)],
            stdout=open(self.root / "redis.log", "ab"), stderr=subprocess.STDOUT, start_new_session=True,
        )
        _wait_port(self.port, "Redis")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)
        _wait_port(self.port, "Redis", up=False)


class Nginx:
    """Debian's nginx, not as a daemon, with a config of the test's own in a temp prefix."""

    def __init__(self, root: Path, config: str, port: int) -> None:
        self.root, self.config, self.port = root, config, port
        self.url = f"http://127.0.0.1:{port}"
        self.proc: Optional[subprocess.Popen] = None

    def start(self) -> None:
        binary = _require(Path("/usr/sbin/nginx"), "nginx")
        (self.root / "logs").mkdir(exist_ok=True)
        conf = self.root / "nginx.conf"
        conf.write_text(self.config)
        check = subprocess.run([binary, "-t", "-p", str(self.root), "-c", str(conf)], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"nginx rejected its config: {check.stderr}")
        self.proc = subprocess.Popen(
            [binary, "-p", str(self.root), "-c", str(conf), "-g", "daemon off;"],
            stdout=open(self.root / "nginx.out", "ab"), stderr=subprocess.STDOUT, start_new_session=True,
        )
        _wait_port(self.port, "nginx")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)


@contextlib.contextmanager
def _running(name: str, make: Callable[[Path], T], begin: Callable[[T], None]) -> Iterator[T]:
    """A server made in a temp directory of its own, begun, then stopped and removed."""
    root = Path(tempfile.mkdtemp(prefix=f"route-advisor-{name}-"))
    server = make(root)
    try:
        begin(server)
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def running_postgres() -> ContextManager[Postgres]:
    return _running("pg", Postgres, Postgres.init)


def running_redis() -> ContextManager[Redis]:
    return _running("redis", Redis, Redis.start)


def running_nginx(config: str, port: int) -> ContextManager[Nginx]:
    """nginx with `config` (which must listen on 127.0.0.1:port) until the block ends."""
    return _running("nginx", lambda root: Nginx(root, config, port), Nginx.start)
