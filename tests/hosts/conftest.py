"""Fixtures for the freqtrade integration tests: one sandbox, a strategy, bots, cached plain runs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from batchcancel.sandbox import Sandbox
from tests.hosts.ft_harness import STRATEGY, Action, Bot, write_config

RunScenario = Callable[..., Action]


@pytest.fixture(scope="session")
def ft_sandbox() -> Iterator[Sandbox]:
    """A sandbox of its own: fewer markets (freqtrade loads them all at every start), and budgets
    scaled up because the bots here run without ccxt's pacing."""
    with Sandbox(markets_per_type=12, budget_scale=10) as sb:
        yield sb


@pytest.fixture(scope="session")
def ft_dirs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    strategies = tmp_path_factory.mktemp("strategies")
    (strategies / "tiny_strategy.py").write_text(STRATEGY)
    return strategies, tmp_path_factory.mktemp("data")


@pytest.fixture
def integration() -> Iterator[None]:
    """The integration installed, as ``batchcancel-freqtrade`` does before freqtrade's main."""
    from batchcancel.hosts import freqtrade as integration

    assert integration.install() == ""
    yield
    integration.uninstall()


@pytest.fixture
def new_bot(
    ft_sandbox: Sandbox, ft_dirs: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., Bot]]:
    """Build bots on a freshly reset sandbox, each with its own database; closed at teardown."""
    bots: list[Bot] = []

    def build(exchange: str, mode: str, **config: Any) -> Bot:
        ft_sandbox.reset()
        workdir = tmp_path_factory.mktemp(f"{exchange}-{mode}")
        path = write_config(ft_sandbox, workdir, *ft_dirs, exchange=exchange, mode=mode, **config)
        bot = Bot(ft_sandbox, path, exchange)
        bots.append(bot)
        return bot

    yield build
    for bot in bots:
        bot.close()
    ft_sandbox.reset()


def _run(
    new_bot: Callable[..., Bot], exchange: str, mode: str, action: str, exits: bool, **config: Any
) -> Action:
    bot = new_bot(exchange, mode, **config)
    bot.seed(exits=exits)
    return bot.act(action)


_plain_cache: dict[tuple[Any, ...], Action] = {}


@pytest.fixture
def plain(new_bot: Callable[..., Bot]) -> RunScenario:
    """The scenario on plain freqtrade (no wraps installed), run once per session and cached."""

    def run(exchange: str, mode: str, action: str, *, exits: bool = True, dry_run: bool = False) -> Action:
        from batchcancel.hosts import freqtrade as integration

        key = (exchange, mode, action, exits, dry_run)
        if key not in _plain_cache:
            reinstall = integration.installed()
            integration.uninstall()
            try:
                _plain_cache[key] = _run(new_bot, exchange, mode, action, exits, dry_run=dry_run)
            finally:
                if reinstall:
                    integration.install()
        return _plain_cache[key]

    return run


@pytest.fixture
def integrated(new_bot: Callable[..., Bot], integration: None) -> RunScenario:
    """The same scenario with the integration installed and ``batch_cancel`` as given."""

    def run(
        exchange: str,
        mode: str,
        action: str,
        *,
        exits: bool = True,
        batch_cancel: dict[str, Any] | None = None,
        dry_run: bool = False,
    ) -> Action:
        return _run(new_bot, exchange, mode, action, exits, batch_cancel=batch_cancel, dry_run=dry_run)

    return run
