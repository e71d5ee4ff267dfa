"""A tiny strategy for trying batchcancel-freqtrade on the loopback sandbox exchange.

It enters every pair on every candle. The sandbox never fills an order on its own, so each entry
rests open until freqtrade cancels it: stop the bot (Ctrl-C) and its shutdown cancels them all,
in batches. Not a trading strategy.
"""

from pandas import DataFrame

from freqtrade.strategy import IStrategy


class RestingOrders(IStrategy):
    INTERFACE_VERSION = 3
    timeframe = "5m"
    minimal_roi = {"0": 10}
    stoploss = -0.5
    startup_candle_count = 0

    def populate_indicators(self, df: DataFrame, metadata: dict) -> DataFrame:
        return df

    def populate_entry_trend(self, df: DataFrame, metadata: dict) -> DataFrame:
        df["enter_long"] = 1
        return df

    def populate_exit_trend(self, df: DataFrame, metadata: dict) -> DataFrame:
        df["exit_long"] = 0
        return df
