"""CPU time and memory of processes, read from /proc (Linux only).

- CPU seconds: ``utime + stime`` of ``/proc/<pid>/stat`` (fields 14 and 15).
- RSS now and peak RSS: ``VmRSS`` and ``VmHWM`` of ``/proc/<pid>/status``.
- PostgreSQL backends of given databases: their command line is
  ``postgres: [<cluster>:] <user> <database> <client> <state>``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # after "(comm)": state is field 3, utime/stime are fields 14/15 -> index 11/12
    return (int(fields[11]) + int(fields[12])) / TICKS


def memory_mb(pid: int) -> dict[str, float]:
    """``{"rss": MB, "peak": MB}`` of one process (empty when it is gone)."""
    out: dict[str, float] = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    out["rss"] = int(line.split()[1]) / 1024
                elif line.startswith("VmHWM:"):
                    out["peak"] = int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return out


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    idle = parts[3] + parts[4]  # idle + iowait
    total = sum(parts[:8])
    return (total - idle) / TICKS, total / TICKS


def postgres_backends(databases: set[str]) -> dict[int, str]:
    """pid -> database of the PostgreSQL backends connected to ``databases``."""
    found: dict[int, str] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if not cmd.startswith("postgres: "):
            continue
        words = cmd.split()[1:]
        if words and words[0].endswith(":"):  # Debian's cluster name, "15/main:"
            words = words[1:]
        if len(words) >= 2 and words[1] in databases:
            found[int(entry.name)] = words[1]
    return found


@dataclass
class BackendCpu:
    """CPU of short- and long-lived PostgreSQL backends over a window.

    Sample it often (``sample()``); a backend that starts and ends between two
    samples is missed (pools keep most connections open, so this is small).
    """

    databases: set[str]
    base: dict[int, float] = field(default_factory=dict)
    last: dict[int, float] = field(default_factory=dict)
    db_of: dict[int, str] = field(default_factory=dict)
    started: bool = False

    def sample(self) -> None:
        for pid, db in postgres_backends(self.databases).items():
            cpu = cpu_seconds(pid)
            if cpu is None:
                continue
            self.db_of[pid] = db
            if pid not in self.base:
                self.base[pid] = cpu if not self.started else 0.0
            self.last[pid] = cpu

    def start(self) -> None:
        self.sample()
        self.base = dict(self.last)
        self.started = True

    def used(self) -> dict[str, float]:
        per_db: dict[str, float] = {}
        for pid, cpu in self.last.items():
            db = self.db_of[pid]
            per_db[db] = per_db.get(db, 0.0) + max(0.0, cpu - self.base.get(pid, 0.0))
        return per_db
