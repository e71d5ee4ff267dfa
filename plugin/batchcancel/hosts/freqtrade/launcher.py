"""``batchcancel-freqtrade``: freqtrade's own command line, with the integration installed first."""

from __future__ import annotations

import logging
import sys

from .wraps import install

log = logging.getLogger("batchcancel.freqtrade")


def main(argv: list[str] | None = None) -> None:
    """Install the wraps (when this freqtrade is a supported one), then run freqtrade's main.

    Takes exactly freqtrade's arguments (``trade --config ...``, ``--version``...) and exits with
    freqtrade's exit code.
    """
    try:
        from freqtrade.loggers import setup_logging_pre
        from freqtrade.main import main as freqtrade_main
    except ImportError as exc:
        print(
            f"batchcancel-freqtrade: freqtrade is not installed ({exc}); "
            "install it with: pip install 'batchcancel[freqtrade]'",
            file=sys.stderr,
        )
        sys.exit(2)
    # freqtrade's own early logging set-up (its main calls it again, which then changes nothing),
    # so that the line below goes where freqtrade's start-up lines go.
    setup_logging_pre()
    refusal = install()
    if refusal:
        log.warning(refusal)
    freqtrade_main(sys.argv[1:] if argv is None else argv)
