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


def test_duration_type_refuses_more_than_a_day():
    assert DurationType().convert("24h", None, None) == 86400.0
    with pytest.raises(click.BadParameter, match="longer than a day"):
        DurationType().convert("24h1s", None, None)


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["tracks", "--limit", "99999999999999999999999"], ["99999999999999999999999", "0<=x<="]),
        (["journal", "--limit", "0"], ["0 is not in the range", "1<=x<="]),
        (["play", "x", "--fade-out", "nan"], ["'nan' is not a number", "0<=x<=1800"]),
        (["play", "x", "--fade-in", "inf"], ["inf", "0<=x<=600"]),
        (["play", "x", "--fade-in", "-0.5"], ["-0.5", "0<=x<=600"]),
        (["play", "x", "--volume", "101"], ["101", "0<=x<=100"]),
        (["relax", "--seed", "-1"], ["-1", "0<=x<=4294967295"]),
        (["playlist", "build", "calm", "--seed", "4294967296"], ["4294967296"]),
        (["playlist", "build", "calm", "--duration", "25h"], ["'25h'", "24h"]),
        (["relax", "--wind-down", "nan"], ["nan"]),
        (["scan", "--jobs", "100000"], ["100000", "1<=x<=256"]),
        (["analyze", "--jobs", "0"], ["0", "1<=x<=256"]),
    ],
)
def test_numbers_out_of_range_are_usage_errors_naming_value_and_range(args, names):
    from click.testing import CliRunner

    from calmtune.cli.app import cli

    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    for name in names:
        assert name in result.stderr
    assert "internal error" not in result.output
