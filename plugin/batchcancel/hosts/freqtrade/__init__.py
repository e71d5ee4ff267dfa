"""freqtrade integration: its multi-order cancel paths go through batchcancel.

Active only in a freqtrade started by the ``batchcancel-freqtrade`` launcher (freqtrade's own
command line: ``batchcancel-freqtrade trade --config config.json``), only on a tested freqtrade
version, and only for a bot whose config has ``"batch_cancel": {"enabled": true}``, trades live
(not dry-run) on an exchange with a native plugin (Bybit, Bitget). See docs/hosts/freqtrade.md.

freqtrade itself is not a dependency of batchcancel (install ``batchcancel[freqtrade]``): nothing
here imports it at module level.
"""

from .launcher import main
from .wraps import (
    NATIVE_EXCHANGES,
    TESTED_FREQTRADE_VERSIONS,
    Decision,
    decide,
    install,
    installed,
    uninstall,
    version_refusal,
)

__all__ = [
    "NATIVE_EXCHANGES",
    "TESTED_FREQTRADE_VERSIONS",
    "Decision",
    "decide",
    "install",
    "installed",
    "main",
    "uninstall",
    "version_refusal",
]
