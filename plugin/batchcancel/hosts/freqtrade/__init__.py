"""freqtrade integration: its multi-order cancel paths go through batchcancel.

Active only in a freqtrade started by the ``batchcancel-freqtrade`` launcher (freqtrade's own
command line: ``batchcancel-freqtrade trade --config config.json``), only on a supported freqtrade
release whose wrapped methods look as expected (see gate.py), and only for a bot whose config has
``"batch_cancel": {"enabled": true}`` and that trades live (not dry-run) on an exchange with a
native plugin (Bybit, Bitget). See docs/hosts/freqtrade.md.

freqtrade itself is not a dependency of batchcancel (install ``batchcancel[freqtrade]``): nothing
here imports it at module level.
"""

from .gate import NEWEST_FREQTRADE, OLDEST_FREQTRADE, shape_refusal, supported_range, version_refusal
from .launcher import main
from .wraps import NATIVE_EXCHANGES, Decision, decide, install, installed, uninstall

__all__ = [
    "NATIVE_EXCHANGES",
    "NEWEST_FREQTRADE",
    "OLDEST_FREQTRADE",
    "Decision",
    "decide",
    "install",
    "installed",
    "main",
    "shape_refusal",
    "supported_range",
    "uninstall",
    "version_refusal",
]
