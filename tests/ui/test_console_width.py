"""A terminal that reports a width of 0 or a few columns still gets every table row."""

from __future__ import annotations

import io
import sys

import pytest

from calmtune.ui.console import MIN_TERMINAL_WIDTH, make_console


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("columns", ["0", "1", "5"])
def test_a_sliver_of_a_terminal_is_laid_out_at_the_narrowest_supported_width(monkeypatch, columns):
    from rich.table import Table

    monkeypatch.setenv("COLUMNS", columns)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    console = make_console()
    assert console.width == MIN_TERMINAL_WIDTH
    table = Table("Title", "Mood")
    table.add_row("Evening rain", "calm")
    console.print(table)
    assert "calm" in terminal.getvalue()


def test_a_normal_terminal_keeps_its_width(monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setattr(sys, "stdout", _Terminal())
    assert make_console().width == 120
