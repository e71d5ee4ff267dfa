"""Where the time of a one-window cancel goes, as the sandbox's log sees it (docs/performance.md,
"Why some targets are not met"). Run from the repository's root: python docs/performance-timeline.py

Each set is cancelled five times, sync and async, on a fresh book, 50 ms latency; the columns are
medians, in ms from the call's start: when the first and the last request reached the server,
when the first and the last answer left it, when the call returned, and the process CPU (client
and in-process server together) over the call.
"""

import asyncio
import statistics
import time

from batchcancel import cancel_orders, cancel_orders_async, get_plugin_manager
from batchcancel.bench.workload import DEFAULT_CATEGORIES, Workload, seed
from batchcancel.sandbox import Sandbox

SETS = (
    ("Bitget 1,000 over 20 symbols", "bitget", 1000, 20),
    ("Bitget 500 over 10 symbols", "bitget", 500, 10),
    ("Bybit 40 spot + 20 linear", "bybit", 60, 3),
)


def once(sb, exchange, orders, symbols, mode):
    sb.reset()
    requests = seed(sb, Workload(exchange, orders, symbols, DEFAULT_CATEGORIES[exchange], 0, 0)).requests()

    async def run_async():
        client = sb.client(exchange, async_=True)
        await client.load_markets()
        sb.clear_log()
        started, cpu = time.time(), time.process_time()
        await cancel_orders_async(client, requests)
        ended, cpu = time.time(), time.process_time() - cpu
        await client.close()
        return started, ended, cpu

    if mode == "async":
        started, ended, cpu = asyncio.run(run_async())
    else:
        client = sb.client(exchange)
        client.load_markets()
        sb.clear_log()
        started, cpu = time.time(), time.process_time()
        cancel_orders(client, requests)
        ended, cpu = time.time(), time.process_time() - cpu
    log, ms = sb.log, lambda t: (t - started) * 1000
    arrived, left = [e.started for e in log], [e.finished for e in log]
    return ms(min(arrived)), ms(max(arrived)), ms(min(left)), ms(max(left)), ms(ended), cpu * 1000, len(log)


get_plugin_manager()
print(
    "| workload | driver | first request at the server | last request at the server | first answer"
    " | last answer | done | process CPU | requests |"
)
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
with Sandbox(latency_ms=50) as sb:
    for name, exchange, orders, symbols in SETS:
        for mode in ("sync", "async"):
            runs = [once(sb, exchange, orders, symbols, mode) for _ in range(5)]
            cells = [statistics.median(r[i] for r in runs) for i in range(7)]
            print(f"| {name if mode == 'sync' else ''} | {mode} | "
                  + " | ".join(f"{c:.1f} ms" for c in cells[:6]) + f" | {cells[6]:.0f} |")  # fmt: skip
