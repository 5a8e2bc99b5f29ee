"""docs/cli.md holds every command's ``--help`` exactly (regenerate: python -m calmtune.cli.docgen)."""

from __future__ import annotations

from pathlib import Path

from calmtune.cli import docgen

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_cli_docs_hold_every_commands_current_help():
    doc = DOC.read_text(encoding="utf-8")
    assert docgen.regenerate(doc) == doc, "docs/cli.md differs; run: python -m calmtune.cli.docgen"


def test_cli_docs_regenerate_mends_a_stale_block_and_adds_a_missing_command():
    doc = DOC.read_text(encoding="utf-8")
    stale = doc.replace("Print only errors.", "Print nothing at all.")
    without_show = docgen._BLOCK.sub(
        lambda m: "" if m.group("name") == "calmtune show" else m.group(0), doc
    )
    assert stale != doc and without_show != doc
    assert docgen.regenerate(stale) == doc
    regenerated = docgen.regenerate(without_show)
    assert "<!-- help: calmtune show -->" in regenerated
    assert "### `calmtune show`" in regenerated.split("<!-- help: calmtune doctor -->")[1]


def test_cli_docs_name_every_command_and_only_real_ones():
    names = docgen.command_names()
    assert {"calmtune", "calmtune relax", "calmtune playlist build"} <= set(names)
    doc = DOC.read_text(encoding="utf-8")
    documented = [m.group("name") for m in docgen._BLOCK.finditer(doc)]
    assert sorted(documented) == sorted(names)
