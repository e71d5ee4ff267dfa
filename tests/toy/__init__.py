"""A toy third exchange, built only to show what adding an exchange takes.

``sandbox_toy/`` is its sandbox package (what ``batchcancel/sandbox/bybit/`` is for Bybit),
``ccxt_toy.py`` stands in for ccxt's own class for it, and ``plugin.py`` is its client dialect
(what ``batchcancel/exchanges/bybit.py`` is for Bybit). tests/e2e/test_toy_exchange_e2e.py
registers both with one line each and cancels through real HTTP.
"""
