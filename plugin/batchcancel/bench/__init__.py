"""``batchcancel demo`` and ``batchcancel bench``: measure cancelling against the sandbox exchange.

The modules:

- :mod:`~batchcancel.bench.workload`: which orders to seed, the lower bound a workload allows
  from the sandbox's own rate budgets, and the audit of every order against the sandbox;
- :mod:`~batchcancel.bench.methods`: the four ways to cancel (plain ccxt loop, ccxt's unified
  ``cancel_orders``, batchcancel sync and async), each timed on a freshly seeded book;
- :mod:`~batchcancel.bench.report`: rows, the text table, JSON and the optional PNG plot;
- :mod:`~batchcancel.bench.cpu`: the project's own CPU cost per order, with a profiler;
- :mod:`~batchcancel.bench.cli` and :mod:`~batchcancel.bench.demo`: the two subcommands.

See docs/performance.md.
"""
