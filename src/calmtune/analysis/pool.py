"""Analyse many files in worker processes, handing each result back to the caller as it comes.

Results go to ``on_result`` in the main process, one call per file, so the caller can store each
one at once: a killed run loses at most the files in flight and the next run resumes from the index.
Workers are started with "spawn", never "fork": the caller may have threads (a progress display,
SQLite) that a forked child would inherit in a broken state. Decoder libraries print warnings
straight to file descriptor 2; workers send it to /dev/null so a live display stays intact.
If a worker dies (a decoder crash), the files that were in flight are retried one per fresh
process, so only the file that really crashes is reported as failed. Workers die with this
process (``calmtune.workers``): a killed analysis leaves nothing running.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from calmtune.errors import AnalysisError
from calmtune.models import Features
from calmtune.native_stderr import NativeStderrGuard
from calmtune.workers import quiet_worker

ResultCallback = Callable[[str, Features | None, str | None], None]


def analyze_one(path: str) -> tuple[str, Features | None, str | None]:
    """(path, features, None) or (path, None, one-line error). Never raises for a bad file."""
    from calmtune.analysis.features import analyze_file

    try:
        return path, analyze_file(path), None
    except AnalysisError as err:
        return path, None, str(err)
    except MemoryError:
        return path, None, f"cannot analyse {path}: out of memory"
    except Exception as err:  # a bad file must not stop a library-wide run
        return path, None, f"cannot analyse {path}: {type(err).__name__}: {err}"


def analyze_many(
    paths: Iterable[str], jobs: int | None = None, on_result: ResultCallback | None = None
) -> int:
    """Analyse ``paths`` with ``jobs`` worker processes (default: the number of cores).

    Calls ``on_result(path, features, error)`` in this process once per file, in completion
    order. ``jobs=1`` runs in this process, with no pool, file descriptor 2 sent to /dev/null
    meanwhile (``NativeStderrGuard``). Returns the number of files handled.
    """
    queue = list(paths)
    callback = on_result or (lambda _path, _features, _error: None)
    jobs = max(1, jobs or os.cpu_count() or 1)
    handled = 0

    def counted(path: str, features: Features | None, error: str | None) -> None:
        nonlocal handled
        handled += 1
        callback(path, features, error)

    if jobs == 1:
        # In this process the decoders' own messages would reach the terminal (and break a
        # progress bar): the same guard as playback sends them to /dev/null.
        with NativeStderrGuard():
            for path in queue:
                counted(*analyze_one(path))
        return handled
    while queue:
        crashed = _run_pool(queue, jobs, counted)
        _retry_alone(crashed, counted)
    return handled


def _run_pool(queue: list[str], jobs: int, callback: ResultCallback) -> list[str]:
    """Run ``queue`` (consumed from the front) with at most ``jobs`` files in flight.

    Returns the files in flight when the pool broke (empty when all went well); the files not yet
    submitted stay in ``queue``.
    """
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    in_flight: dict[Future, str] = {}
    with ProcessPoolExecutor(
        jobs, mp_context=context, initializer=quiet_worker, initargs=(os.getpid(),)
    ) as pool:
        try:
            while queue or in_flight:
                while queue and len(in_flight) < 2 * jobs:
                    path = queue.pop(0)
                    in_flight[pool.submit(analyze_one, path)] = path
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    path = in_flight.pop(future)
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        in_flight[future] = path
                        raise
                    callback(*result)
        except BrokenProcessPool:
            return list(in_flight.values())
    return []


def _retry_alone(paths: list[str], callback: ResultCallback) -> None:
    """Run each file in its own process; a file that kills its process is reported failed."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    for path in paths:
        try:
            with ProcessPoolExecutor(
                1, mp_context=context, initializer=quiet_worker, initargs=(os.getpid(),)
            ) as pool:
                result = pool.submit(analyze_one, path).result()
        except BrokenProcessPool:
            result = (path, None, f"cannot analyse {path}: the decoder crashed on this file")
        callback(*result)
