"""The engine shared by every plugin: dialects describe an exchange, the engine does the I/O."""

from batchcancel.engine.dialect import (
    Budget,
    BudgetObservation,
    Call,
    CodeBook,
    Dialect,
    Kind,
    MalformedResponse,
    Route,
    Verdict,
    WorkItem,
    success_body,
)
from batchcancel.engine.drivers import check_exchange, is_async_exchange, run, run_kill
from batchcancel.engine.job import CancelJob

__all__ = [
    "Budget",
    "BudgetObservation",
    "Call",
    "CancelJob",
    "CodeBook",
    "Dialect",
    "Kind",
    "MalformedResponse",
    "Route",
    "Verdict",
    "WorkItem",
    "check_exchange",
    "is_async_exchange",
    "run",
    "run_kill",
    "success_body",
]
