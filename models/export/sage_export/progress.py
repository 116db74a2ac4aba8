"""One line per export step, with the time so far and the process's peak memory."""

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

    @staticmethod
    def peak_gib() -> float:
        # ru_maxrss is in KiB on Linux.
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
