"""One line per export step, with the time so far and the process's peak memory, and a progress
bar for the weights being written."""

from __future__ import annotations

import resource
import sys
import time


class Progress:
    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.count = 0

    def step(self, message: str) -> None:
        self.count += 1
        elapsed = time.monotonic() - self.started
        print(f"[{self.count:2d}] {elapsed:7.1f} s  peak {self.peak_gib():6.2f} GiB  {message}", file=self.stream, flush=True)

    def bar(self, total: int, what: str) -> "Bar":
        return Bar(self.stream, total, what)

    @staticmethod
    def peak_gib() -> float:
        """This process's peak resident memory. VmHWM belongs to the process's own address space;
        ru_maxrss would also count the parent's memory at fork time (it survives exec)."""
        try:
            with open("/proc/self/status", encoding="ascii") as handle:
                for line in handle:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) / 2**20
        except OSError:
            pass
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB on Linux


class Bar:
    """Redrawn in place on a terminal; a line per 5% otherwise (logs)."""

    WIDTH = 30

    def __init__(self, stream, total: int, what: str) -> None:
        self.stream, self.total, self.what = stream, max(total, 1), what
        self.done, self.started, self.shown = 0, time.monotonic(), -1
        self.tty = hasattr(stream, "isatty") and stream.isatty()

    def advance(self, amount: int) -> None:
        self.done += amount
        fraction = min(self.done / self.total, 1.0)
        step = int(fraction * 20)
        if not self.tty and step == self.shown:
            return
        self.shown = step
        elapsed = time.monotonic() - self.started
        left = elapsed / fraction - elapsed if fraction > 0 else 0
        filled = int(fraction * self.WIDTH)
        line = (
            f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {fraction * 100:5.1f}%  {self.done / 2**30:.2f}/{self.total / 2**30:.2f} GiB "
            f"{self.what}  {elapsed:.0f} s, about {left:.0f} s left  peak {Progress.peak_gib():.2f} GiB"
        )
        print(("\r" + line) if self.tty else line, end="" if self.tty else "\n", file=self.stream, flush=True)

    def close(self) -> None:
        if self.tty and self.shown >= 0:
            print(file=self.stream, flush=True)
