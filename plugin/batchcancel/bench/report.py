"""Rows, the text table, JSON, the optional PNG plot, and TTY-aware progress on stderr."""

from __future__ import annotations

import contextlib
import json
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

import attrs

ROW_KEYS = (
    "method",
    "exchange",
    "orders",
    "requests",
    "wall_s",
    "orders_per_s",
    "bound_s",
    "efficiency",
    "unaccounted",
)


@attrs.frozen
class Row:
    """One benchmark row; the JSON output is a list of these with exactly these keys."""

    method: str
    exchange: str
    orders: int
    requests: int
    """Median over the repeats of the HTTP requests the sandbox served."""
    wall_s: float
    """Median wall time over the repeats."""
    orders_per_s: float
    bound_s: float
    """Least wall time the sandbox's budgets and latency allow (docs/performance.md)."""
    efficiency: float
    """``bound_s / wall_s``."""
    unaccounted: int
    """Worst repeat: orders left open, without an answer, or whose answer the sandbox contradicts."""

    def as_dict(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in ROW_KEYS}


def make_row(
    method: str, exchange: str, orders: int, walls: Sequence[float], requests: Sequence[int],
    unaccounted: Sequence[int], bound: float,
) -> Row:  # fmt: skip
    wall = statistics.median(walls)
    return Row(
        method=method,
        exchange=exchange,
        orders=orders,
        requests=round(statistics.median(requests)),
        wall_s=round(wall, 4),
        orders_per_s=round(orders / wall, 1) if wall > 0 else 0.0,
        bound_s=round(bound, 4),
        efficiency=round(bound / wall, 3) if wall > 0 else 0.0,
        unaccounted=max(unaccounted),
    )


def rows_json(rows: Sequence[Row]) -> str:
    return json.dumps([row.as_dict() for row in rows], indent=2)


def format_table(header: Sequence[str], body: Sequence[Sequence[object]], right: Sequence[bool]) -> str:
    cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in body]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for index, row in enumerate(cells):
        parts = [c.rjust(w) if r else c.ljust(w) for c, w, r in zip(row, widths, right, strict=True)]
        lines.append("  ".join(parts).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _efficiency(row: Row) -> str:
    # Finishing early by leaving orders behind is no efficiency: such a value is shown in
    # parentheses, as docs/performance.md does, so nobody reads it as a result.
    return f"({row.efficiency:.2f})" if row.unaccounted else f"{row.efficiency:.2f}"


def rows_table(rows: Sequence[Row]) -> str:
    body = [
        (
            r.method,
            r.exchange,
            r.orders,
            r.requests,
            f"{r.wall_s:.3f}",
            f"{r.orders_per_s:.1f}",
            f"{r.bound_s:.3f}",
            _efficiency(r),
            r.unaccounted,
        )
        for r in rows
    ]
    return format_table(ROW_KEYS, body, (False, False, True, True, True, True, True, True, True))


PLOT_MISSING = (
    "--plot needs matplotlib, which batchcancel does not install by default: "
    "pip install 'batchcancel[plot]' (or pip install matplotlib)"
)


def plot(rows: Sequence[Row], path: str | Path, title: str = "") -> None:
    """A PNG: per exchange, each method's median wall time (log scale) against the bound."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise RuntimeError(PLOT_MISSING) from None
    exchanges = list(dict.fromkeys(r.exchange for r in rows))
    fig, axes = plt.subplots(
        len(exchanges), 1, figsize=(8, 1.6 + 0.55 * len(rows)), squeeze=False, constrained_layout=True
    )
    for ax, exchange in zip(axes[:, 0], exchanges, strict=True):
        mine = [r for r in rows if r.exchange == exchange]
        labels = [r.method for r in mine]
        walls = [r.wall_s for r in mine]
        colors = ["#4c72b0" if r.method.startswith("batchcancel") else "#bbbbbb" for r in mine]
        bars = ax.barh(labels, walls, color=colors)
        ax.invert_yaxis()
        ax.set_xscale("log")
        bound = mine[0].bound_s
        ax.axvline(bound, color="#c44e52", linestyle="--", label=f"lower bound {bound:.2f} s")
        for bar, row in zip(bars, mine, strict=True):
            note = f" {row.wall_s:.2f} s, {row.requests} req, "
            # Finishing early by leaving orders behind is no efficiency: show what was left.
            note += f"{row.unaccounted} unaccounted" if row.unaccounted else f"eff {row.efficiency:.2f}"
            ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, note, va="center", fontsize=8)
        ax.set_title(f"{exchange}: {mine[0].orders} orders", fontsize=10)
        ax.set_xlabel("wall time, s (median; log scale)")
        ax.set_xlim(min([bound, *walls]) / 2, max(walls) * 20)
        ax.legend(loc="lower right", fontsize=8)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.savefig(path, dpi=110)
    plt.close(fig)


class Progress:
    """Progress on stderr: a rewritten status line on a TTY, plain milestone lines otherwise."""

    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.quiet = quiet
        isatty = getattr(self.stream, "isatty", None)
        self.tty = bool(isatty and isatty())
        self._lock = threading.Lock()
        self._dirty = False

    def status(self, text: str) -> None:
        """A transient status; shown on a TTY only."""
        if self.quiet or not self.tty:
            return
        with self._lock:
            self.stream.write("\r\x1b[K" + text)
            self.stream.flush()
            self._dirty = True

    def line(self, text: str) -> None:
        """A lasting line (replaces the status line on a TTY)."""
        if self.quiet:
            return
        with self._lock:
            if self._dirty:
                self.stream.write("\r\x1b[K")
                self._dirty = False
            self.stream.write(text + "\n")
            self.stream.flush()

    @contextlib.contextmanager
    def ticking(self, text: Callable[[], str], every_s: float = 0.1) -> Iterator[None]:
        """Refresh the status line from ``text()`` while the block runs (TTY only)."""
        if self.quiet or not self.tty:
            yield
            return
        stop = threading.Event()
        started = time.monotonic()

        def tick() -> None:
            while not stop.wait(every_s):
                self.status(f"{text()}  {time.monotonic() - started:.1f} s")

        thread = threading.Thread(target=tick, name="batchcancel-progress", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
            self.status("")
