"""The ``.trc`` marker file (Motion Analysis's Track Row Column, as OpenSim reads it).

Pure text in, text out; reading and writing files happens in
:mod:`runform.interop.read` and :mod:`runform.interop.export`. The layout,
tab-separated, is OpenSim's:

.. code-block:: text

    PathFileType  4  (X/Y/Z)  <file name>
    DataRate  CameraRate  NumFrames  NumMarkers  Units  OrigDataRate  OrigDataStartFrame
        OrigNumFrames (one line)
    <the values of line 2>
    Frame#  Time  <marker 1>  ""  ""  <marker 2>  ""  ""  ...
    ""  ""  X1  Y1  Z1  X2  Y2  Z2  ...
    <blank line>
    <frame>  <time, s>  <x1>  <y1>  <z1>  <x2>  ...

A missing marker is an empty cell (``NaN`` is read as missing too). Sports2D
writes its own files without the blank line and with frame numbers from 0;
both are read.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from runform.errors import PoseFormatError

__all__ = ["HEADER_KEYS", "TrcTable", "format_trc", "parse_trc"]

FloatArray = NDArray[np.float64]

#: The keys of the second header line, in OpenSim's order.
HEADER_KEYS: tuple[str, ...] = (
    "DataRate",
    "CameraRate",
    "NumFrames",
    "NumMarkers",
    "Units",
    "OrigDataRate",
    "OrigDataStartFrame",
    "OrigNumFrames",
)
_MISSING = frozenset({"", "nan", "-nan", "+nan"})


@dataclass(frozen=True, eq=False)
class TrcTable:
    """The contents of one ``.trc`` file.

    Attributes
    ----------
    rate_hz
        ``DataRate``: samples per second.
    units
        ``Units`` as written (``m``, ``mm``, ``px``, ...).
    markers
        Marker names, in column order.
    frames
        ``Frame#`` of each row, shape ``(n,)``.
    times_s
        ``Time`` of each row, seconds, shape ``(n,)``.
    coords
        Shape ``(n, n_markers, 3)``: X, Y, Z in ``units``; NaN where missing.
    start_frame
        ``OrigDataStartFrame``.
    """

    rate_hz: float
    units: str
    markers: tuple[str, ...]
    frames: NDArray[np.int64]
    times_s: FloatArray
    coords: FloatArray
    start_frame: int = 1


def _number(value: float) -> str:
    """Shortest text that reads back as the same float (no exponent)."""
    return np.format_float_positional(value, unique=True, trim="-")


def _format_column(values: NDArray[np.floating], decimals: int | None) -> list[str]:
    """Cells of one column: empty where NaN, else ``decimals`` places or exact."""
    if decimals is None:
        return ["" if math.isnan(v) else _number(v) for v in values]
    return ["" if math.isnan(v) else f"{v:.{decimals}f}" for v in values.tolist()]


def format_trc(table: TrcTable, file_name: str, *, decimals: int | None = None) -> str:
    """Return the text of a ``.trc`` file.

    Parameters
    ----------
    table
        What to write. ``coords`` may be float32 (written exactly, as the
        shortest text that reads back as the same float32) or float64.
    file_name
        The name written on line 1 (OpenSim shows it; it is not read back).
    decimals
        Places after the point for coordinates; ``None`` writes each value
        exactly (shortest round-trip text of its dtype).

    Returns
    -------
    str
        Tab-separated, one line per row, ending with a line break.
    """
    n, n_markers = table.coords.shape[:2]
    rate = f"{table.rate_hz:.10g}"
    values = (rate, rate, n, n_markers, table.units, rate, table.start_frame, n)
    lines = [
        f"PathFileType\t4\t(X/Y/Z)\t{file_name}",
        "\t".join(HEADER_KEYS),
        "\t".join(str(v) for v in values),
        "\t".join(["Frame#", "Time", *(f"{m}\t\t" for m in table.markers)]).rstrip("\t"),
        "\t\t" + "\t".join(f"X{i}\tY{i}\tZ{i}" for i in range(1, n_markers + 1)),
        "",
    ]
    flat = table.coords.reshape(n, n_markers * 3)
    columns = [_format_column(flat[:, j], decimals) for j in range(flat.shape[1])]
    times = [repr(float(t)) for t in table.times_s]
    for i in range(n):
        cells = [str(int(table.frames[i])), times[i], *(column[i] for column in columns)]
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"


def _fail(name: str, where: str, message: str) -> PoseFormatError:
    return PoseFormatError(
        f"{name} is not a valid .trc file: {where}: {message}",
        hint="a .trc starts with PathFileType, the DataRate ... OrigNumFrames line and its "
        "values, the Frame#/Time/marker line and the X1/Y1/Z1 line (see docs/interop.md)",
    )


def _header_values(lines: Sequence[str], name: str) -> dict[str, str]:
    if len(lines) < 5:
        raise _fail(name, "the header", f"expected 5 header lines, got {len(lines)}")
    if lines[0].split("\t")[0].strip() != "PathFileType":
        raise _fail(name, "line 1", f"expected it to start with PathFileType, got {lines[0]!r:.60}")
    keys = [k.strip() for k in lines[1].split("\t")]
    values = [v.strip() for v in lines[2].split("\t")]
    header = dict(zip(keys, values, strict=False))
    missing = [k for k in ("DataRate", "NumFrames", "NumMarkers") if not header.get(k)]
    if missing:
        raise _fail(name, "lines 2-3", f"no value for {', '.join(missing)}")
    return header


def _parse_int(text: str, name: str, where: str) -> int:
    try:
        value = float(text)
    except ValueError:
        raise _fail(name, where, f"expected a whole number, got {text!r}") from None
    if not value.is_integer() or value < 0:
        raise _fail(name, where, f"expected a whole number, got {text!r}")
    return int(value)


def _parse_rate(text: str, name: str) -> float:
    try:
        rate = float(text)
    except ValueError:
        raise _fail(name, "line 3", f"DataRate must be a number, got {text!r}") from None
    if not (math.isfinite(rate) and rate > 0):
        raise _fail(name, "line 3", f"DataRate must be positive, got {text!r}")
    return rate


def _parse_markers(line: str, n_markers: int, name: str) -> tuple[str, ...]:
    cells = line.split("\t")
    if [c.strip() for c in cells[:2]] != ["Frame#", "Time"]:
        raise _fail(name, "line 4", f"expected Frame# and Time first, got {cells[:2]}")
    markers = tuple(c.strip() for c in cells[2::3] if c.strip())
    stray = [c.strip() for i, c in enumerate(cells[2:]) if i % 3 and c.strip()]
    if stray:
        raise _fail(name, "line 4", f"marker names must be 3 columns apart; {stray[0]!r} is not")
    if len(markers) != n_markers:
        raise _fail(name, "line 4", f"NumMarkers is {n_markers} but {len(markers)} names follow")
    return markers


def _parse_cell(text: str, name: str, line_no: int) -> float:
    text = text.strip()
    if text.lower() in _MISSING:
        return math.nan
    try:
        return float(text)
    except ValueError:
        raise _fail(name, f"line {line_no}", f"expected a number, got {text!r}") from None


def _parse_rows(
    lines: Sequence[str], first_line_no: int, n_markers: int, name: str
) -> tuple[list[int], list[float], list[list[float]]]:
    width = 2 + 3 * n_markers
    frames: list[int] = []
    times: list[float] = []
    rows: list[list[float]] = []
    for offset, line in enumerate(lines):
        line_no = first_line_no + offset
        if not line.strip():
            continue
        cells = line.rstrip("\r\n").split("\t")
        extra = [c for c in cells[width:] if c.strip()]
        if extra:
            message = f"expected {width} columns (frame, time, 3 per marker), got {len(cells)}"
            raise _fail(name, f"line {line_no}", message)
        cells = cells[:width] + [""] * (width - len(cells))
        frames.append(_parse_int(cells[0], name, f"line {line_no}, Frame#"))
        time = _parse_cell(cells[1], name, line_no)
        if not math.isfinite(time):
            raise _fail(name, f"line {line_no}", "the Time column is empty")
        times.append(time)
        rows.append([_parse_cell(c, name, line_no) for c in cells[2:]])
    return frames, times, rows


def parse_trc(text: str, name: str = "the file") -> TrcTable:
    """Read the text of a ``.trc`` file.

    Parameters
    ----------
    text
        The whole file.
    name
        What to call the file in error messages.

    Returns
    -------
    TrcTable
        The header's rate, units and start frame, the marker names and the
        rows.

    Raises
    ------
    PoseFormatError
        Naming the line at fault: a header line missing or out of place, a
        marker count that does not match ``NumMarkers``, a row count that
        does not match ``NumFrames``, a cell that is not a number, times
        that do not increase.
    """
    lines = text.splitlines()
    header = _header_values(lines, name)
    n_frames = _parse_int(header["NumFrames"], name, "line 3, NumFrames")
    n_markers = _parse_int(header["NumMarkers"], name, "line 3, NumMarkers")
    rate = _parse_rate(header["DataRate"], name)
    start = header.get("OrigDataStartFrame") or "1"
    start_frame = _parse_int(start, name, "line 3, OrigDataStartFrame")
    markers = _parse_markers(lines[3], n_markers, name)
    if not lines[4].strip().startswith("X1") and n_markers:
        raise _fail(name, "line 5", f"expected X1 Y1 Z1 ..., got {lines[4]!r:.60}")
    frames, times, rows = _parse_rows(lines[5:], 6, n_markers, name)
    if len(rows) != n_frames:
        raise _fail(name, "the data", f"NumFrames is {n_frames} but {len(rows)} rows follow")
    times_s = np.asarray(times, dtype=np.float64)
    if times_s.size > 1 and not np.all(np.diff(times_s) > 0):
        bad = int(np.argmin(np.diff(times_s) > 0)) + 1
        raise _fail(name, f"row {bad + 1}", "times must increase from row to row")
    coords = np.asarray(rows, dtype=np.float64).reshape(len(rows), n_markers, 3)
    return TrcTable(
        rate_hz=rate,
        units=header.get("Units", ""),
        markers=markers,
        frames=np.asarray(frames, dtype=np.int64),
        times_s=times_s,
        coords=coords,
        start_frame=start_frame,
    )
