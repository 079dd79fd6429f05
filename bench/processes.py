"""Memory and CPU of the servers under load, read from /proc (psutil is not among Rasa's packages)."""
from __future__ import annotations

import os
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


def listening_pid(port: int) -> int:
    """The process listening on 127.0.0.1:port (one of ours, so its fds are readable)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                inodes.add(f"socket:[{fields[9]}]")
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                if os.readlink(f"/proc/{pid}/fd/{fd}") in inodes:
                    return int(pid)
        except OSError:  # gone, or not ours
            continue
    raise RuntimeError(f"no process of ours listens on port {port}")


class Watched:
    """One server process: its peak resident memory since reset_peak(), and its CPU time."""

    def __init__(self, name: str, pid: int):
        self.name, self.pid = name, pid

    def reset_peak(self) -> None:
        """Writing 5 to clear_refs resets VmHWM to the current resident size (Linux >= 4.0)."""
        Path(f"/proc/{self.pid}/clear_refs").write_text("5")

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError(f"no VmHWM for {self.name} (pid {self.pid})")

    def cpu_seconds(self) -> float:
        # the command name, in brackets, may hold spaces: count fields after its closing bracket
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        user, system = int(fields[11]), int(fields[12])  # utime and stime, fields 14 and 15
        return (user + system) / _TICKS
