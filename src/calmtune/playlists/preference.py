"""How much the listener seems to like a track for a recipe, learnt from their own sessions (pure).

Evidence per track, from the journal's listening events (docs/design.md, "Listening events"):
a play heard to the end, or asked for again with ``p``, counts for the track; a skip counts
against it; a play cut short or left with ``p`` says nothing. Plays in sessions of the same
recipe count fully, plays in other recipes' sessions count half (a track skipped while focusing
may still calm).

The score is the mean of a Beta posterior, shrunk toward what the track's artist has earned, and
that in turn toward neutral (0.5) by a Beta(2, 2) prior worth four plays:

    artist = (2 + S_artist) / (4 + S_artist + F_artist)
    track  = (4·artist + s + 4·liked) / (4 + s + f + 4·liked)

So one skip moves a new track from 0.5 to 0.4, not to 0; a track skipped every time sinks
slowly, and a track never played of an artist the listener keeps skipping starts low. A like
weighs as four plays heard to the end. Bans never reach this model: banned tracks are left out
before planning. docs/music.md, "What calms you", states the same rules.
"""

from __future__ import annotations

from collections.abc import Iterable

PRIOR_PLAYS = 4.0  # the weight of the prior, in plays
NEUTRAL = 0.5
OTHER_RECIPES = 0.5  # a play in another recipe's session counts this much
LIKE_PLAYS = 4.0  # a like counts as this many plays heard to the end
# Tallies as the index gives them: (path, artist key, successes here, skips here, successes in
# other recipes, skips in other recipes, plays in any session).
Tally = tuple[str, "str | None", int, int, int, int, int]


class Preferences:
    """Scores for one recipe's candidates. Tracks with no evidence score by their artist."""

    def __init__(self, tallies: Iterable[Tally] = (), liked: Iterable[str] = ()) -> None:
        self.liked = frozenset(liked)
        self._evidence: dict[str, tuple[float, float]] = {}
        self._counts: dict[str, tuple[int, int, int, int]] = {}
        self.plays: dict[str, int] = {}
        artists: dict[str, list[float]] = {}
        for path, artist, s_here, f_here, s_other, f_other, plays in tallies:
            s = s_here + OTHER_RECIPES * s_other
            f = f_here + OTHER_RECIPES * f_other
            self._evidence[path] = (s, f)
            self._counts[path] = (s_here, f_here, s_other, f_other)
            self.plays[path] = plays
            if artist:
                sums = artists.setdefault(artist, [0.0, 0.0])
                sums[0] += s
                sums[1] += f
        half = PRIOR_PLAYS / 2
        self._artist = {
            a: (half + s) / (PRIOR_PLAYS + s + f) for a, (s, f) in artists.items() if s + f > 0
        }

    def __bool__(self) -> bool:
        """Whether there is anything to learn from (else every track scores neutral)."""
        return bool(self._evidence or self.liked)

    def artist_score(self, artist: str | None) -> float:
        return self._artist.get(artist, NEUTRAL) if artist else NEUTRAL

    def score(self, path: str, artist: str | None) -> float:
        """0..1: how likely the listener hears this track to the end in this recipe."""
        s, f = self._evidence.get(path, (0.0, 0.0))
        like = LIKE_PLAYS if path in self.liked else 0.0
        prior = self.artist_score(artist)
        return (PRIOR_PLAYS * prior + s + like) / (PRIOR_PLAYS + s + f + like)

    def known_paths(self) -> frozenset[str]:
        """Every track the sessions or a like say something about."""
        return frozenset(self._evidence) | self.liked

    def times_played(self, path: str) -> int:
        return self.plays.get(path, 0)

    def reasons(self, path: str, artist: str | None, recipe: str) -> list[str]:
        """What the score rests on, in plain words."""
        words = []
        if path in self.liked:
            words.append("you like it")
        s_here, f_here, s_other, f_other = self._counts.get(path, (0, 0, 0, 0))
        plays = self.plays.get(path, 0)
        if s_here or f_here:
            words.append(_verdicts(s_here, f_here) + f" in {recipe} sessions")
        if s_other or f_other:
            words.append(_verdicts(s_other, f_other) + " in other sessions")
        if not plays:
            words.append("never played in a session yet")
        elif not (s_here or f_here or s_other or f_other):
            words.append(f"played {_times(plays)}, always cut short (no verdict)")
        artist_score = self.artist_score(artist)
        if artist and artist in self._artist and abs(artist_score - NEUTRAL) >= 0.1:
            mood = "often heard to the end" if artist_score > NEUTRAL else "often skipped"
            words.append(f"its artist is {mood}")
        return words


def _times(n: int) -> str:
    return f"{n} time" if n == 1 else f"{n} times"


def _verdicts(heard: int, skipped: int) -> str:
    """ "heard to the end 3 times and skipped 1 time" (a replay counts as heard)."""
    parts = []
    if heard:
        parts.append(f"heard to the end {_times(heard)}")
    if skipped:
        parts.append(f"skipped {_times(skipped)}")
    return " and ".join(parts)
