"""A sync bot's first cancel must not import ``ccxt.async_support`` (about 0.2 s of a kill switch)."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_checking_a_sync_exchange_leaves_ccxt_async_support_unimported():
    code = textwrap.dedent(
        """
        import sys
        import ccxt
        from batchcancel.engine.drivers import check_exchange, is_async_exchange

        check_exchange(ccxt.bybit(), want_async=False)
        assert not is_async_exchange(ccxt.bitget())
        assert "ccxt.async_support" not in sys.modules, "imported by the check"

        import ccxt.async_support
        assert is_async_exchange(ccxt.async_support.bybit())
        check_exchange(ccxt.async_support.bitget(), want_async=True)
        print("ok")
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
