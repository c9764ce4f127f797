"""Prefect's console log output, as the command line wants it."""

from __future__ import annotations

import logging

from prefect.logging.handlers import PrefectConsoleHandler


def silence_console_logs() -> None:
    """Turn Prefect's console log handler off for the rest of the process, so stderr keeps the contract's
    single error line for scripts (the logs still reach the Prefect server, and its UI shows them)."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, PrefectConsoleHandler):
            handler.setLevel(logging.CRITICAL + 1)
