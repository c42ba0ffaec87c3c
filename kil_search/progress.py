"""Progress for long runs: a bar on a terminal, plain log lines otherwise."""

from __future__ import annotations

import sys
import time

from tqdm import tqdm


class IndexProgress:
    """A progress callback for `run_index`; use as a context manager."""

    def __init__(self, stream=None, log_every_seconds: float = 5.0):
        self.stream = stream or sys.stderr
        self.interactive = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.log_every_seconds = log_every_seconds
        self._bar = None
        self._total = 0
        self._done = 0
        self._last_log = 0.0

    def __enter__(self) -> "IndexProgress":
        return self

    def __exit__(self, *exc_info) -> None:
        self._close_bar()

    def _close_bar(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __call__(self, event: str, detail: object) -> None:
        if event == "plan":
            self._total = int(detail)
            if self.interactive and self._total:
                self._bar = tqdm(total=self._total, unit="file", file=self.stream, desc="Extracting")
            elif self._total:
                print(f"{self._total} files to extract", file=self.stream, flush=True)
        elif event == "meaning-plan":
            self._close_bar()
            self._total, self._done = int(detail), 0
            if self.interactive and self._total:
                self._bar = tqdm(total=self._total, unit="sentence", file=self.stream, desc="Encoding meaning")
            elif self._total:
                print(f"Searchable now; encoding {self._total} sentences for ranking by meaning", file=self.stream, flush=True)
        elif event == "meaning":
            self._done += int(detail)
            if self._bar is not None:
                self._bar.update(int(detail))
            elif time.monotonic() - self._last_log >= self.log_every_seconds or self._done == self._total:
                self._last_log = time.monotonic()
                print(f"[{self._done}/{self._total} sentences]", file=self.stream, flush=True)
        elif event == "file":
            self._done += 1
            if self._bar is not None:
                self._bar.update(1)
            elif time.monotonic() - self._last_log >= self.log_every_seconds or self._done == self._total:
                self._last_log = time.monotonic()
                print(f"[{self._done}/{self._total}] {detail}", file=self.stream, flush=True)
