"""What the issue #11 truth tests share: the exchanges and the cancel endpoints they aim faults at."""

from __future__ import annotations

from batchcancel import CancelRequest

EXCHANGES = ["bybit", "bitget", "okx"]
SINGLE = {
    "bybit": "/v5/order/cancel",
    "bitget": "/api/v2/spot/trade/cancel-order",
    "okx": "/api/v5/trade/cancel-order",
}
BATCH = {
    "bybit": "/v5/order/cancel-batch",
    "bitget": "/api/v2/spot/trade/batch-cancel-order",
    "okx": "/api/v5/trade/cancel-batch-orders",
}


def requests_for(orders):
    return [CancelRequest(o.symbol, order_id=o.order_id) for o in orders]
