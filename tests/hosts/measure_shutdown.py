"""Measure freqtrade's shutdown cancel (``cancel_all_open_orders``) with and without batchcancel.

Run in an environment with freqtrade (``tox -e freqtrade-newest`` installs one in ``.tox/freqtrade-newest``):

    python -m tests.hosts.measure_shutdown --exchange bybit --mode spot --orders 60 --latency-ms 30

For each of "freqtrade alone" and "batchcancel-freqtrade" it starts a fresh sandbox (the
exchange's documented rate budgets, unscaled), a live FreqtradeBot with freqtrade's default ccxt
pacing, opens ``--orders`` resting entry orders through freqtrade itself (one per pair), sets the
latency, then times ``cancel_all_open_orders()`` and counts the requests the sandbox served.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from collections import Counter
from pathlib import Path

from batchcancel.sandbox import Sandbox
from tests.hosts.ft_harness import STRATEGY, Bot, write_config


def measure(exchange: str, mode: str, orders: int, latency_ms: float, integrated: bool) -> dict:
    from batchcancel.hosts import freqtrade as integration

    if integrated:
        assert integration.install() == ""
    else:
        integration.uninstall()
    with tempfile.TemporaryDirectory() as tmp, Sandbox(markets_per_type=max(orders, 12)) as sb:
        root = Path(tmp)
        (root / "strategies").mkdir()
        (root / "strategies" / "tiny_strategy.py").write_text(STRATEGY)
        (root / "data").mkdir()
        suffix = "/USDT" if mode == "spot" else "/USDT:USDT"
        pairs = [m.symbol for m in sb.markets(exchange) if m.symbol.endswith(suffix)][:orders]
        config = write_config(
            sb,
            root,
            root / "strategies",
            root / "data",
            exchange=exchange,
            mode=mode,
            pairs=pairs,
            rate_limit=True,  # freqtrade's default pacing of its ccxt instance
            batch_cancel={"enabled": True} if integrated else None,
        )
        bot = Bot(sb, config, exchange)
        api = bot.ft.exchange._api
        # Seeding only, unpaced and with budgets to spare; the measured part below is neither.
        api.enableRateLimit = False
        sb.set_budget_scale(100)
        bot.seed(exits=False)
        api.enableRateLimit = True
        sb.set_budget_scale(1)
        time.sleep(1.1)  # let the seeding's requests leave the one-second budget windows
        assert len(sb.open_orders(exchange)) == orders
        sb.set_latency(latency_ms)
        sb.clear_log()
        started = time.perf_counter()
        bot.ft.cancel_all_open_orders()
        elapsed = time.perf_counter() - started
        served = sb.log
        left = len(sb.open_orders(exchange))
        sb.set_latency(0)
        bot.close()
    paths = Counter(r.path for r in served)
    return {"elapsed_s": elapsed, "requests": len(served), "paths": paths, "left_open": left}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--exchange", choices=("bybit", "bitget"), default="bybit")
    parser.add_argument("--mode", choices=("spot", "futures"), default="spot")
    parser.add_argument("--orders", type=int, default=60)
    parser.add_argument("--latency-ms", type=float, default=30.0)
    args = parser.parse_args()
    logging.disable(logging.INFO)  # freqtrade logs every cancel; the numbers are what matter here
    rows = []
    for integrated in (False, True):
        result = measure(args.exchange, args.mode, args.orders, args.latency_ms, integrated)
        name = "batchcancel-freqtrade" if integrated else "freqtrade alone"
        rows.append((name, result))
    print(
        f"{args.exchange} {args.mode}: {args.orders} open entry orders, {args.latency_ms:g} ms latency "
        "per request, exchange rate budgets as documented, freqtrade's ccxt pacing on"
    )
    print("| run | requests | time | left open | by endpoint |")
    print("|---|---|---|---|---|")
    for name, result in rows:
        detail = ", ".join(f"`{path}` {count}" for path, count in result["paths"].most_common())
        cells = (name, result["requests"], f"{result['elapsed_s']:.2f} s", result["left_open"], detail)
        print("| " + " | ".join(map(str, cells)) + " |")


if __name__ == "__main__":
    main()
