"""DeepLabCut's pose table: the CSV text (written and read) and the ``.h5`` file (read).

DeepLabCut writes one row per frame under three header rows (four for
several animals), each starting with the name of its level:

.. code-block:: text

    scorer,runform,runform,runform,runform,...
    bodyparts,nose,nose,nose,left_eye_inner,...
    coords,x,y,likelihood,x,...
    0,412.5,180.25,0.99,...

A multi-animal file has an ``individuals`` row between ``scorer`` and
``bodyparts``. The first column is the frame index; ``x`` and ``y`` are
image pixels (``y`` down), ``likelihood`` 0-1; a point not found is an
empty cell. This is what ``movement.io.load_poses.from_dlc_file`` reads.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from runform.errors import PoseFormatError

__all__ = ["DlcTable", "format_dlc_csv", "parse_dlc_csv", "read_dlc_h5"]

FloatArray = NDArray[np.float64]
_LEVELS_SINGLE = ("scorer", "bodyparts", "coords")
_LEVELS_MULTI = ("scorer", "individuals", "bodyparts", "coords")
_COORDS = ("x", "y", "likelihood")


@dataclass(frozen=True, eq=False)
class DlcTable:
    """A DeepLabCut pose table.

    Attributes
    ----------
    scorer
        The scorer (model) name.
    individuals
        The animals' names (``("individual_0",)`` for a single-animal file,
        as movement names it).
    bodyparts
        Body-part names.
    frames
        The index column: frame numbers, shape ``(n,)``.
    position
        Shape ``(n, 2, n_bodyparts, n_individuals)``: x, y in pixels; NaN
        where missing.
    likelihood
        Shape ``(n, n_bodyparts, n_individuals)``.
    """

    scorer: str
    individuals: tuple[str, ...]
    bodyparts: tuple[str, ...]
    frames: NDArray[np.int64]
    position: FloatArray
    likelihood: FloatArray


def _cell(value: float) -> str:
    return "" if math.isnan(value) else np.format_float_positional(value, unique=True, trim="-")


def format_dlc_csv(table: DlcTable) -> str:
    """Return DeepLabCut's CSV text of ``table``.

    Three header rows (``scorer``, ``bodyparts``, ``coords``) for one
    individual, four (with ``individuals``) for several; then one row per
    frame: the frame index, then ``x, y, likelihood`` per body part (and per
    individual, the individual varying slowest). Values are written exactly
    (the shortest text that reads back as the same float of their dtype);
    missing ones are empty.
    """
    multi = len(table.individuals) > 1
    columns = [(ind, part, coord) for ind in table.individuals
               for part in table.bodyparts for coord in _COORDS]  # fmt: skip
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["scorer", *(table.scorer for _ in columns)])
    if multi:
        writer.writerow(["individuals", *(c[0] for c in columns)])
    writer.writerow(["bodyparts", *(c[1] for c in columns)])
    writer.writerow(["coords", *(c[2] for c in columns)])
    # (time, individual, bodypart, coord): the column order above
    values = np.concatenate([table.position, table.likelihood[:, None]], axis=1)
    values = values.transpose(0, 3, 2, 1).reshape(len(table.frames), -1)
    for frame, row in zip(table.frames.tolist(), values, strict=True):
        writer.writerow([str(frame), *(_cell(v) for v in row)])
    return out.getvalue()


def _fail(name: str, message: str) -> PoseFormatError:
    return PoseFormatError(
        f"{name} is not a DeepLabCut pose table: {message}",
        hint="a DeepLabCut CSV starts with the rows scorer, (individuals,) bodyparts and "
        "coords, then one row per frame (see docs/interop.md)",
    )


def _header(rows: Sequence[Sequence[str]], name: str) -> tuple[str, ...]:
    firsts = tuple(r[0].strip() if r else "" for r in rows[:4])
    for levels in (_LEVELS_MULTI, _LEVELS_SINGLE):
        if firsts[: len(levels)] == levels:
            return levels
    raise _fail(
        name,
        f"the first column of the first rows reads {list(firsts)}, expected "
        "scorer, bodyparts, coords (or scorer, individuals, bodyparts, coords)",
    )


def _number(text: str, name: str, row: int) -> float:
    text = text.strip()
    if text == "" or text.lower() == "nan":
        return math.nan
    try:
        return float(text)
    except ValueError:
        raise _fail(name, f"row {row}: expected a number, got {text!r}") from None


def _unique(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _table_from_columns(
    columns: Sequence[tuple[str, str, str, str]],
    frames: Sequence[float],
    values: FloatArray,
    name: str,
) -> DlcTable:
    """Arrange flat ``(scorer, individual, bodypart, coord)`` columns into a :class:`DlcTable`."""
    individuals = _unique([c[1] for c in columns])
    bodyparts = _unique([c[2] for c in columns])
    coords = _unique([c[3] for c in columns])
    if set(coords) != set(_COORDS):
        if "z" in coords:
            raise _fail(name, "3D (x, y, z) DeepLabCut tables are not supported; give the 2D "
                        "pose table of one camera")  # fmt: skip
        raise _fail(name, f"the coords are {list(coords)}, expected x, y and likelihood")
    index = {(c[1], c[2], c[3]): j for j, c in enumerate(columns)}
    expected = [(i, b, c) for i in individuals for b in bodyparts for c in _COORDS]
    absent = [e for e in expected if e not in index]
    if absent:
        raise _fail(name, f"no column for {absent[0]}: every body part needs x, y and likelihood")
    n = len(frames)
    grid = np.full((n, 3, len(bodyparts), len(individuals)), np.nan)
    for (ind, part, coord), j in index.items():
        grid[:, _COORDS.index(coord), bodyparts.index(part), individuals.index(ind)] = values[:, j]
    frame_values = np.asarray(frames, dtype=np.float64)
    if not (np.all(np.isfinite(frame_values)) and np.all(frame_values == np.round(frame_values))):
        raise _fail(name, "the index column must hold whole frame numbers")
    return DlcTable(
        scorer=columns[0][0] if columns else "",
        individuals=individuals,
        bodyparts=bodyparts,
        frames=frame_values.astype(np.int64),
        position=grid[:, :2],
        likelihood=grid[:, 2],
    )


def parse_dlc_csv(text: str, name: str = "the file") -> DlcTable:
    """Read DeepLabCut's CSV text (single- or multi-animal).

    Raises
    ------
    PoseFormatError
        If the header rows are not DeepLabCut's, a body part lacks x, y or
        likelihood, a row has another number of cells, or a cell is not a
        number.
    """
    rows = list(csv.reader(io.StringIO(text)))
    levels = _header(rows, name)
    head = rows[: len(levels)]
    width = len(head[0])
    if width < 2 or any(len(r) != width for r in head):
        raise _fail(name, "the header rows must have the same number of cells")
    by_level = {lvl: [c.strip() for c in row[1:]] for lvl, row in zip(levels, head, strict=True)}
    individuals = by_level.get("individuals", ["individual_0"] * (width - 1))
    columns = list(zip(by_level["scorer"], individuals, by_level["bodyparts"],
                       by_level["coords"], strict=True))  # fmt: skip
    data = [r for r in rows[len(levels) :] if any(c.strip() for c in r)]
    frames: list[float] = []
    values = np.full((len(data), width - 1), np.nan)
    for i, row in enumerate(data):
        line = len(levels) + i + 1
        if len(row) != width:
            raise _fail(name, f"row {line} has {len(row)} cells, the header {width}")
        frames.append(_number(row[0], name, line))
        values[i] = [_number(c, name, line) for c in row[1:]]
    return _table_from_columns(columns, frames, values, name)


def read_dlc_h5(path: Path) -> DlcTable:
    """Read DeepLabCut's ``.h5`` pose table (pandas' HDF5 store, key ``df_with_missing``).

    Raises
    ------
    PoseFormatError
        If pandas or PyTables is not installed (saying what to install), or
        the file holds no DeepLabCut table.
    """
    try:
        import pandas as pd  # type: ignore[import-untyped,unused-ignore]
        import tables  # type: ignore[import-not-found,import-untyped,unused-ignore]  # noqa: F401
    except ImportError:
        raise PoseFormatError(
            f"reading the DeepLabCut file {path.name} needs pandas and PyTables",
            hint="`pip install pandas tables`, or give runform DeepLabCut's CSV of the same "
            "poses (DeepLabCut writes it with save_as_csv=True)",
        ) from None
    try:
        frame = pd.read_hdf(path, key="df_with_missing")
    except (OSError, KeyError, ValueError, TypeError) as error:
        raise _fail(path.name, f"no readable 'df_with_missing' table ({error})") from None
    if not isinstance(frame, pd.DataFrame) or frame.columns.nlevels not in (3, 4):
        raise _fail(path.name, "expected a table with scorer/bodyparts/coords column levels")
    columns = []
    for key in frame.columns:
        parts = [str(k) for k in key]
        if len(parts) == 3:
            parts.insert(1, "individual_0")
        columns.append((parts[0], parts[1], parts[2], parts[3]))
    values = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    frames = [float(v) for v in range(len(frame))] if not _is_numeric_index(frame) else \
        [float(v) for v in frame.index]  # fmt: skip
    return _table_from_columns(columns, frames, values, path.name)


def _is_numeric_index(frame: object) -> bool:
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    return isinstance(frame, pd.DataFrame) and pd.api.types.is_integer_dtype(frame.index.dtype)
