"""Per-athlete reports of a batch: progress, and the newest session against earlier ones."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from runform.batch.jobs import Job, read_marker, safe_name


def sessions_by_athlete(
    jobs: Sequence[Job], out: Path, keys: dict[str, str] | None = None
) -> dict[str, list[Job]]:
    """Successful sessions of each named athlete, oldest first (undated ones last).

    Uploads of an ``unknown`` athlete are not grouped: they may be anyone's.
    """
    groups: dict[str, list[Job]] = defaultdict(list)
    for job in jobs:
        marker = read_marker(out / job.folder)
        current = keys is None or (marker or {}).get("key") == keys.get(job.folder)
        if job.athlete != "unknown" and marker and marker.get("status") == "ok" and current:
            groups[job.athlete].append(job)
    return {
        a: sorted(js, key=lambda j: (j.date == "undated", j.date, j.name))
        for a, js in groups.items()
    }


def write_athlete_reports(
    jobs: Sequence[Job], out: Path, console: Console, keys: dict[str, str] | None = None
) -> dict[str, list[dict[str, str]]]:
    """Progress and comparisons for every athlete with two or more sessions.

    Returns ``{athlete: [{"label", "href"}]}`` for the overview. A report that
    fails (e.g. sessions that cannot be compared) is skipped with a note in
    its label rather than stopping the batch.
    """
    from runform.errors import RunformError

    links: dict[str, list[dict[str, str]]] = {}
    for athlete, sessions in sessions_by_athlete(jobs, out, keys).items():
        dated = [j for j in sessions if j.date != "undated"]
        if len(sessions) < 2:
            continue
        try:
            links[athlete] = _athlete_reports(athlete, sessions, dated, out)
        except (RunformError, ValueError, OSError) as error:
            links[athlete] = [{"label": f"reports not made ({error})", "href": ""}]
    return links


def _athlete_reports(
    athlete: str, sessions: list[Job], dated: list[Job], out: Path
) -> list[dict[str, str]]:
    """Progress over all sessions; comparisons of the newest dated session only."""
    import datetime as dt
    from collections.abc import Callable

    from runform.compare.write import write_comparison, write_progress
    from runform.errors import RunformError

    base = out / safe_name(athlete)
    folders = [out / j.folder for j in sessions]
    dates = [j.date for j in sessions]
    given = None if "undated" in dates else [dt.date.fromisoformat(d) for d in dates]
    reports: list[tuple[str, str, Callable[[], object]]] = [
        ("progress", "progress/progress.html",
         lambda: write_progress(folders, base / "progress", dates=given)),
    ]  # fmt: skip
    comparable = [out / j.folder for j in dated]
    if len(comparable) >= 2:
        reports.append(("newest vs previous", "latest_vs_previous/comparison.html",
                        lambda: write_comparison(comparable[-2], comparable[-1],
                                                 base / "latest_vs_previous")))  # fmt: skip
    if len(comparable) >= 3:
        reports.append(("newest vs first", "latest_vs_first/comparison.html",
                        lambda: write_comparison(comparable[0], comparable[-1],
                                                 base / "latest_vs_first")))  # fmt: skip
    links = []
    for label, href, write in reports:
        try:
            write()
            links.append({"label": label, "href": f"{safe_name(athlete)}/{href}"})
        except (RunformError, ValueError, OSError) as error:
            links.append({"label": f"{label}: not made ({error})", "href": ""})
    return links
