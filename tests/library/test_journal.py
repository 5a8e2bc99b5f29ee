from calmtune.library import Library
from calmtune.listening import EndedBy


def test_journal_records_sessions_newest_first(tmp_path):
    with Library.open(tmp_path / "i.db") as lib:
        j = lib.journal
        first = j.start("calm", stress_before=7, started=1000.0)
        j.track_played(first, "/m/a.flac", 120.0)
        j.track_played(first, "/m/b.flac", 60.5)
        j.finish(first, EndedBy.COMPLETED, stress_after=3, ended=1000.0 + 20 * 60)
        second = j.start("focus", started=5000.0)
        sessions = j.sessions()
    assert [s.id for s in sessions] == [second, first]
    done = sessions[1]
    assert done.tracks == ["/m/a.flac", "/m/b.flac"]
    assert (done.stress_before, done.stress_after) == (7, 3)
    assert done.minutes == 20.0
    assert done.listened_seconds == 180.5
    assert done.ended_by is EndedBy.COMPLETED
    running = sessions[0]
    assert running.ended is None and running.ended_by is EndedBy.RUNNING and running.minutes is None


def test_journal_recently_played_covers_the_last_sessions_only(tmp_path):
    with Library.open(tmp_path / "i.db") as lib:
        j = lib.journal
        for n in range(4):
            sid = j.start("calm", started=float(n))
            j.track_played(sid, f"/m/{n}.flac", 1.0)
        assert j.recently_played(2) == {"/m/2.flac", "/m/3.flac"}
        assert len(j.recently_played(10)) == 4


def test_journal_survives_reopen(tmp_path):
    db = tmp_path / "i.db"
    with Library.open(db) as lib:
        lib.journal.start("sleep")
    with Library.open(db) as lib:
        assert [s.recipe for s in lib.journal.sessions()] == ["sleep"]
