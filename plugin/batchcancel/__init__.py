"""batchcancel: native batch order cancellation for ccxt-based trading bots.

>>> from batchcancel import CancelRequest, cancel_orders
>>> report = cancel_orders(exchange, [CancelRequest("BTC/USDT", order_id="123")])  # doctest: +SKIP

Or, for a bot that already calls ccxt's ``cancel_orders`` / ``cancel_all_orders``:

>>> exchange = batchcancel.wrap(exchange)  # doctest: +SKIP
"""

from batchcancel.api import cancel_orders, cancel_orders_async
from batchcancel.deadman import DeadMansSwitch
from batchcancel.deadman_async import AsyncDeadMansSwitch
from batchcancel.dropin import unwrap, wrap
from batchcancel.errors import (
    BatchCancelError,
    CancelFailures,
    ConfigError,
    CountdownError,
    HeartbeatFailed,
    NotSupported,
    WrongExchangeKind,
)
from batchcancel.kill_api import KillSwitchUnavailable, cancel_all_orders, cancel_all_orders_async
from batchcancel.manager import PluginManager, get_plugin_manager
from batchcancel.markers import hookimpl
from batchcancel.model import CancelOutcome, CancelReport, CancelRequest, Status
from batchcancel.settings import Settings

__version__ = "0.1.0"

__all__ = [
    "AsyncDeadMansSwitch",
    "BatchCancelError",
    "CancelFailures",
    "CancelOutcome",
    "CancelReport",
    "CancelRequest",
    "ConfigError",
    "CountdownError",
    "DeadMansSwitch",
    "HeartbeatFailed",
    "KillSwitchUnavailable",
    "NotSupported",
    "PluginManager",
    "Settings",
    "Status",
    "WrongExchangeKind",
    "__version__",
    "cancel_all_orders",
    "cancel_all_orders_async",
    "cancel_orders",
    "cancel_orders_async",
    "get_plugin_manager",
    "hookimpl",
    "unwrap",
    "wrap",
]
