"""A progress bar for long command-line runs: done of total, rate and time left, on stderr.

On a terminal it redraws one line; elsewhere (CI logs, pipes) it writes a line every
``every_seconds`` so a log shows the run moving without drowning in updates.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    def __init__(
        self,
        label: str,
        total: int | None,
        unit: str,
        *,
        stream: TextIO | None = None,
        every_seconds: float = 5.0,
    ) -> None:
        self.label = label
        self.total = total
        self.unit = unit
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.every = 0.2 if self.tty else every_seconds
        self.started = time.monotonic()
        self.last_shown = float("-inf")
        self.done = 0
        self.extra = ""

    def update(self, done: int, extra: str = "") -> None:
        """Set the count done so far (and a short note such as other counters)."""
        self.done = done
        self.extra = extra
        now = time.monotonic()
        if now - self.last_shown >= self.every:
            self.last_shown = now
            self._show(now, final=False)

    def finish(self, extra: str | None = None) -> None:
        if extra is not None:
            self.extra = extra
        self._show(time.monotonic(), final=True)

    def line(self, now: float | None = None) -> str:
        elapsed = max((now if now is not None else time.monotonic()) - self.started, 1e-9)
        rate = self.done / elapsed
        parts = [f"{self.label}: {self.done:,}"]
        if self.total:
            share = min(self.done / self.total, 1.0)
            filled = int(share * 24)
            parts = [f"{self.label} [{'#' * filled}{'.' * (24 - filled)}] {self.done:,}/{self.total:,}"]
            parts.append(f"{share:6.1%}")
        parts.append(f"{rate:,.0f} {self.unit}/s")
        if self.total and rate > 0 and self.done < self.total:
            parts.append(f"{_duration((self.total - self.done) / rate)} left")
        else:
            parts.append(f"{_duration(elapsed)} elapsed")
        if self.extra:
            parts.append(self.extra)
        return "  ".join(parts)

    def _show(self, now: float, *, final: bool) -> None:
        text = self.line(now)
        if self.tty:
            self.stream.write("\r\x1b[2K" + text + ("\n" if final else ""))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"
