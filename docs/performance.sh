#!/usr/bin/env bash
# Regenerates every table, plot and JSON file of docs/performance.md in one go.
#
#   python -m pip install -e '.[plot]'     # matplotlib, for the plot
#   bash docs/performance.sh               # from the repository's root; about 45 minutes
#
# What it writes (then paste the printed tables into docs/performance.md):
#   docs/performance.json, docs/performance.png   the main run: every method and exchange (Bybit, Bitget,
#                                                 OKX, Binance USDⓈ-M), 1,000 orders each
#   docs/performance-suite.json                   every target workload, ccxt's limiter on and off
#   docs/performance-floor.json                   zero latency, budgets x1000
#   docs/performance-bots.json                    four bots on one account (needs redis-server)
# and on stdout the tables, the CPU per order of this checkout and of the commit before issue 16's
# work (CPU_BEFORE, default fb21bdf; empty to skip), each section headed by its command.
set -euo pipefail
cd "$(dirname "$0")/.."
CPU_BEFORE=${CPU_BEFORE-fb21bdf}
started=$(date +%s)

run() {
    echo
    echo "\$ $*   # load average: $(cut -d' ' -f1-3 /proc/loadavg)"
    "$@"
}

run batchcancel bench --orders 1000 --symbols 20 --latency-ms 50 --repeats 3 --filled 20 \
    --json docs/performance.json --plot docs/performance.png
run batchcancel bench --suite docs/performance-suite.json --repeats 3
run python docs/performance-timeline.py
run batchcancel bench --orders 1000 --symbols 20 --latency-ms 0 --budget-scale 1000 --repeats 5 \
    --methods batchcancel-sync,batchcancel-async --json docs/performance-floor.json
run batchcancel bench --exchange bitget --bitget-account uta --orders 1000 --symbols 20 --latency-ms 50 \
    --repeats 3 --filled 20
run batchcancel bench --cpu
run batchcancel demo
run batchcancel demo --exchange okx

if [ -n "$CPU_BEFORE" ]; then
    before=$(mktemp -d)
    git worktree add --quiet --detach "$before" "$CPU_BEFORE"
    echo
    echo "\$ PYTHONPATH=<checkout of $CPU_BEFORE>/plugin python -m batchcancel bench --cpu   # before"
    PYTHONPATH="$before/plugin" python -m batchcancel bench --cpu --quiet || true
    git worktree remove --force "$before"
fi

if command -v redis-server >/dev/null; then
    redis-server --port 6390 --bind 127.0.0.1 --save '' --appendonly no --daemonize yes >/dev/null
    trap 'redis-cli -p 6390 shutdown nosave >/dev/null 2>&1 || true' EXIT
    sleep 0.5
    run batchcancel bench --bots 4 --orders 250 --symbols 20 --latency-ms 50 --repeats 3 \
        --budget-store redis://127.0.0.1:6390/0 --json docs/performance-bots.json
else
    echo "redis-server not found: the several-bots run (docs/performance-bots.json) was skipped" >&2
fi

echo
echo "docs/performance.sh took $(( $(date +%s) - started )) s"
