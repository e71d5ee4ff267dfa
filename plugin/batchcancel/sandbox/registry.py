"""The exchanges the sandbox serves: one package each, one line each here.

The first one also answers paths no exchange claims (a 404 in its own envelope).
"""

from __future__ import annotations

from . import binanceusdm, bitget, bybit, okx
from .exchange import ExchangeSpec

EXCHANGES: tuple[ExchangeSpec, ...] = (
    bybit.EXCHANGE,
    bitget.EXCHANGE,
    okx.EXCHANGE,
    binanceusdm.EXCHANGE,
)
