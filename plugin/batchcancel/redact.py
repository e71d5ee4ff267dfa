"""Keeping credentials out of every text batchcancel logs, stores or reports.

An exchange's error answer may echo what it was sent (some gateways quote the request headers),
so any text that came from the wire can carry the API key, the secret or the passphrase, and in
more than one spelling: as sent, percent-encoded, or escaped inside JSON. Two guards:

* :class:`Redactor` cleans the texts a call stores (outcome messages);
* :class:`SecretFilter`, installed on the ``batchcancel`` loggers, cleans every record they emit,
  message, arguments and traceback alike, with every secret any call has registered.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

MASK = "***"
MIN_SECRET_LENGTH = 4
"""Shorter values (an empty password, a 1-character test key) would mask ordinary text."""

LOGGER_NAMES = ("batchcancel", "batchcancel.freqtrade")

_lock = threading.Lock()
_known: set[str] = set()


def spellings(secret: str) -> set[str]:
    """The ways ``secret`` can appear in text that came from the wire."""
    forms = {
        secret,
        quote(secret, safe=""),
        quote_plus(secret),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
    }
    return {form for form in forms if len(form) >= MIN_SECRET_LENGTH}


def _mask(text: str, forms: Iterable[str]) -> str:
    for form in forms:  # longest first, so no shorter spelling leaves a tail of a longer one behind
        if form in text:
            text = text.replace(form, MASK)
    return text


class Redactor:
    """Masks one call's credentials in any text; registers them with the log filter too."""

    def __init__(self, secrets: Iterable[object]) -> None:
        forms: set[str] = set()
        for secret in secrets:
            if isinstance(secret, str) and len(secret) >= MIN_SECRET_LENGTH:
                forms |= spellings(secret)
        self._forms = sorted(forms, key=len, reverse=True)
        if forms:
            with _lock:
                _known.update(forms)
        install()

    def __call__(self, text: str) -> str:
        return _mask(text, self._forms) if self._forms else text

    def __repr__(self) -> str:
        return f"Redactor({len(self._forms)} spellings)"


def redact_known(text: str) -> str:
    """Mask every secret any call in this process has registered."""
    with _lock:
        forms = sorted(_known, key=len, reverse=True)
    return _mask(text, forms) if forms else text


class SecretFilter(logging.Filter):
    """Masks registered secrets in a record's message, arguments, traceback and stack."""

    def filter(self, record: logging.LogRecord) -> bool:
        with _lock:
            empty = not _known
        if empty:
            return True
        message = record.getMessage()
        masked = redact_known(message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_known(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_known(record.stack_info)
        return True


_FILTER = SecretFilter()


def install() -> None:
    """Put the filter on batchcancel's loggers (idempotent)."""
    for name in LOGGER_NAMES:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
