"""Where the machine's CPU went during a measured phase, from /proc (Linux only).

On two cores the server, PostgreSQL and the load generator share the CPU, and anything
else running on the machine takes from all three; a figure is only worth as much as the
``other`` column next to it says.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _process_ticks(stat: str, *, reaped: bool = False) -> tuple[str, int]:
    """(command name, user + system ticks) from the text of /proc/<pid>/stat; with
    ``reaped``, plus the ticks of its children that have exited."""
    name = stat[stat.index("(") + 1 : stat.rindex(")")]
    fields = [int(v) for v in stat[stat.rindex(")") + 2 :].split()[11:15]]  # utime stime cutime cstime
    return name, sum(fields) if reaped else fields[0] + fields[1]


def _ticks_of(pid: int) -> int:
    try:
        return _process_ticks(Path(f"/proc/{pid}/stat").read_text())[1]
    except (OSError, ValueError):
        return 0


def _postgres_ticks() -> int:
    """Every PostgreSQL process, and the backends the postmaster reaped (closed connections)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                name, ticks = _process_ticks((entry / "stat").read_text(), reaped=True)
            except (OSError, ValueError):
                continue
            if name == "postgres" or name.startswith("postgres:"):
                total += ticks
    return total


def _machine_ticks() -> tuple[int, int]:
    """(busy, idle) ticks of all CPUs since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values[:8]) - idle, idle


@dataclass
class CpuUse:
    """Average cores used during the phase, by whom."""

    cores: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, float]:
        return {name: round(value, 2) for name, value in self.cores.items()}


@contextmanager
def cpu_use(server_pid: int | None) -> Iterator[CpuUse]:
    """Measure the block: server process, this process (load generator or bare script),
    PostgreSQL's processes, everything else, and idle."""
    use = CpuUse()
    started = time.perf_counter()
    server0, own0, pg0 = _ticks_of(server_pid) if server_pid else 0, _ticks_of(os.getpid()), _postgres_ticks()
    busy0, idle0 = _machine_ticks()
    yield use
    seconds = (time.perf_counter() - started) * TICKS
    server = (_ticks_of(server_pid) - server0) if server_pid else 0
    own, pg = _ticks_of(os.getpid()) - own0, _postgres_ticks() - pg0
    busy, idle = _machine_ticks()
    use.cores = {
        "server": server / seconds,
        "bench_process": own / seconds,
        "postgresql": pg / seconds,
        "other": max(0, (busy - busy0) - server - own - pg) / seconds,
        "idle": (idle - idle0) / seconds,
    }
