"""The markets the sandbox lists, with their ccxt unified symbols and native ids.

Each exchange package lists a realistic default set (its ``catalog.py``): 60 spot pairs and 60 USDT
perpetuals (real coin names first, then synthetic ``C001``...), plus a few coin-margined and USDC
contracts. This module holds what they share.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import attrs

_REAL_COINS = (
    "BTC",
    "ETH",
    "SOL",
    "XRP",
    "DOGE",
    "ADA",
    "AVAX",
    "LINK",
    "DOT",
    "LTC",
    "TRX",
    "BCH",
    "NEAR",
    "ATOM",
    "UNI",
    "APT",
    "ARB",
    "OP",
    "FIL",
    "ETC",
    "XLM",
    "ICP",
    "HBAR",
    "SUI",
    "INJ",
    "TIA",
    "SEI",
    "PEPE",
    "SHIB",
    "WIF",
    "AAVE",
    "MKR",
    "LDO",
    "RNDR",
    "GRT",
    "SAND",
    "MANA",
    "AXS",
    "CRV",
    "SNX",
)
_REFERENCE_PRICES = {"BTC": "60000", "ETH": "3000", "SOL": "150", "XRP": "0.5", "DOGE": "0.12"}
DEFAULT_COUNT = 60


@attrs.frozen
class Market:
    exchange: str
    symbol: str  # ccxt unified symbol, e.g. "BTC/USDT:USDT"
    native_symbol: str  # the exchange's id, e.g. "BTCUSDT"
    category: str  # bybit: spot/linear/inverse/option; bitget: spot or the productType
    base: str
    quote: str
    settle: str | None
    reference_price: str  # a plausible price for seeded orders
    tick_size: str
    qty_step: str

    @property
    def is_spot(self) -> bool:
        return self.category == "spot"


def base_coins(count: int = DEFAULT_COUNT) -> list[str]:
    coins = list(_REAL_COINS[:count])
    coins += [f"C{i:03d}" for i in range(1, count - len(coins) + 1)]
    return coins


def _reference_price(coin: str, index: int) -> str:
    # Deterministic, varied prices so seeded books do not all look alike.
    return _REFERENCE_PRICES.get(coin, str(round(1 + (index * 37 % 500) / 7, 2)))


def _tick(price: str) -> str:
    value = float(price)
    if value >= 1000:
        return "0.1"
    if value >= 1:
        return "0.001"
    return "0.0001"


def make_market(
    exchange: str, category: str, base: str, quote: str, settle: str | None, native: str, index: int
) -> Market:
    """The ``index``-th market of a listing; ``settle`` None makes it spot."""
    unified = f"{base}/{quote}" if settle is None else f"{base}/{quote}:{settle}"
    price = _reference_price(base, index)
    return Market(
        exchange=exchange,
        symbol=unified,
        native_symbol=native,
        category=category,
        base=base,
        quote=quote,
        settle=settle,
        reference_price=price,
        tick_size=_tick(price),
        qty_step="0.001",
    )


class MarketCatalog:
    """One exchange's markets, looked up by unified symbol or by (category, native id)."""

    def __init__(self, exchange: str, markets: Iterable[Market]) -> None:
        self.exchange = exchange
        self._markets = list(markets)
        self._by_symbol = {m.symbol: m for m in self._markets}
        self._by_native = {(m.category, m.native_symbol): m for m in self._markets}

    def __iter__(self) -> Iterator[Market]:
        return iter(self._markets)

    def __len__(self) -> int:
        return len(self._markets)

    def by_symbol(self, symbol: str) -> Market:
        try:
            return self._by_symbol[symbol]
        except KeyError:
            raise KeyError(f"{self.exchange} sandbox has no market {symbol!r}") from None

    def native(self, category: str, native_symbol: str) -> Market | None:
        return self._by_native.get((category, native_symbol))

    def in_category(self, category: str) -> list[Market]:
        return [m for m in self._markets if m.category == category]
