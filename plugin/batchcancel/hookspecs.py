"""Hook specifications: the contract between batchcancel and its plugins (signatures and docs only)."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import TYPE_CHECKING, Any

from batchcancel.markers import hookspec

if TYPE_CHECKING:
    from batchcancel.model import CancelReport, CancelRequest
    from batchcancel.settings import Settings


@hookspec(firstresult=True)
def cancel_orders(
    exchange: Any, requests: Sequence[CancelRequest], settings: Settings
) -> CancelReport | Awaitable[CancelReport] | None:
    """Cancel ``requests`` on ``exchange`` if this plugin serves that exchange.

    :param exchange: a ccxt exchange instance, sync (``ccxt.bybit``) or async
        (``ccxt.async_support.bybit``). Plugins tell them apart with
        :func:`batchcancel.engine.is_async_exchange`.
    :param requests: the validated requests, already coerced to
        :class:`~batchcancel.CancelRequest` (never empty).
    :param settings: the :class:`~batchcancel.Settings` for this call.

    :return: ``None`` when the exchange is not this plugin's, so the next plugin is asked.
        Otherwise a :class:`~batchcancel.CancelReport` with exactly one outcome per request in the
        given order, or, for an async exchange, an awaitable of it. The decision to claim the
        exchange must be made before anything is awaited: returning a coroutine claims the call.

    Stops at first non-None result (``firstresult``): the last-registered plugin is asked first,
    and the built-in ``ccxt`` fallback is registered ``trylast``.
    """


@hookspec(firstresult=True)
def cancel_all_orders(
    exchange: Any, symbols: tuple[str, ...] | None, settings: Settings
) -> CancelReport | Awaitable[CancelReport] | None:
    """Cancel every open order in scope on ``exchange`` (the kill switch), if this plugin serves it.

    :param exchange: a ccxt exchange instance, sync or async, as for ``cancel_orders``.
    :param symbols: ``None`` for every open order the keys can see on every market kind, or the
        unified symbols (never empty) that scope it.
    :param settings: the :class:`~batchcancel.Settings` for this call.

    :return: ``None`` when the exchange is not this plugin's. Otherwise a
        :class:`~batchcancel.CancelReport` with exactly one outcome per order that was open in
        scope when the call started or was found open during it (an awaitable of it for an async
        exchange); :func:`batchcancel.engine.run_kill` builds it from a dialect.

    Stops at first non-None result; the built-in ``ccxt`` fallback (list open orders, cancel
    them) is registered ``trylast``.
    """
