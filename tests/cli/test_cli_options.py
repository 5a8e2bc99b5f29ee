import click
import pytest

from calmtune.cli.options import DurationType


def test_duration_type_reads_every_form_as_seconds():
    kind = DurationType()
    assert [kind.convert(v, None, None) for v in ("90s", "20m", "1h15m", "1:30:00", "2")] == [
        90.0,
        1200.0,
        4500.0,
        5400.0,
        120.0,
    ]


def test_duration_type_rejects_zero_unless_it_means_off():
    with pytest.raises(click.BadParameter, match="longer than zero"):
        DurationType().convert("0", None, None)
    assert DurationType(allow_zero=True).convert("0", None, None) == 0.0
    with pytest.raises(click.BadParameter):
        DurationType(allow_zero=True).convert("soon", None, None)
