"""Unreadable files and folders. Root reads everything, so under root the scan runs in a forked
child that has dropped to the ``nobody`` user (after importing what it needs)."""

from __future__ import annotations

import json
import os
import tempfile
import traceback
from pathlib import Path

import pytest
from click.testing import CliRunner

from audiofiles import make_tagged_file
from calmtune.cli import cli

NOBODY = 65534


def _scan_as_unprivileged(root: Path, home: Path) -> dict:
    """Run `calmtune scan --json root` as an unprivileged user; return its JSON report."""
    if os.geteuid() != 0:
        result = CliRunner().invoke(
            cli, ["scan", "--json", str(root)], env={"CALMTUNE_HOME": str(home)}
        )
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)
    out_path = home / "report.json"
    # Warm every lazy import (mutagen's format modules, the scanner, sqlite) while still root:
    # the interpreter's own files live under /root, which nobody cannot enter.
    warm = CliRunner().invoke(
        cli, ["scan", "--json", str(root)], env={"CALMTUNE_HOME": str(home / "warm")}
    )
    assert warm.exit_code == 0, warm.output
    pid = os.fork()
    if pid == 0:  # child
        code = 1
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            result = CliRunner().invoke(
                cli, ["scan", "--json", str(root)], env={"CALMTUNE_HOME": str(home)}
            )
            out_path.write_text(
                json.dumps({"code": result.exit_code, "out": result.stdout, "err": result.stderr})
            )
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    outcome = json.loads(out_path.read_text())
    assert outcome["code"] == 0, outcome["err"]
    return json.loads(outcome["out"])


@pytest.fixture
def shared_dir():
    """A folder the unprivileged user can enter (pytest's tmp_path is private to root)."""
    base = Path(tempfile.mkdtemp(prefix="calmtune-perm-"))
    base.chmod(0o777)
    yield base
    for folder, dirs, _files in os.walk(base):
        for d in dirs:
            os.chmod(os.path.join(folder, d), 0o755)
    import shutil

    shutil.rmtree(base, ignore_errors=True)


def test_scan_reports_unreadable_files_and_folders_and_keeps_their_tracks(shared_dir):
    root = shared_dir / "music"
    (root / "open").mkdir(parents=True)
    (root / "locked").mkdir()
    home = shared_dir / "home"
    home.mkdir()
    for p in (shared_dir, root, root / "open", root / "locked", home):
        p.chmod(0o777)
    make_tagged_file(root / "open" / "fine", "flac", title="Fine")
    secret = make_tagged_file(root / "open" / "secret", "flac", title="Secret")
    inside = make_tagged_file(root / "locked" / "inside", "flac", title="Inside")
    for p in (root / "open" / "fine.flac", secret, inside):
        p.chmod(0o644)

    first = _scan_as_unprivileged(root, home)
    assert first["added"] == 3 and first["failed"] == []

    secret.chmod(0o000)
    (root / "locked").chmod(0o000)
    secret.touch()  # changed, so it must be read again
    second = _scan_as_unprivileged(root, home)
    failed = {f["path"]: f["error"] for f in second["failed"]}
    assert "permission denied" in failed[str(secret)]
    assert "permission denied" in failed[str(root / "locked")]
    # The track inside the unreadable folder is not "vanished": it stays in the index.
    assert second["removed"] == 0
    assert second["unchanged"] == 1
