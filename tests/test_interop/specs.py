"""Readers written from the formats' published descriptions, not from runform's code.

* ``.trc``: OpenSim's "Marker (.trc) Files" page: three header lines
  (``PathFileType``; ``DataRate CameraRate NumFrames NumMarkers Units
  OrigDataRate OrigDataStartFrame OrigNumFrames``; their values), two rows of
  column labels (marker names in the first of their three columns, then
  ``X1 Y1 Z1 ...``), a blank row, then rows of frame number, time and
  ``x y z`` per marker, tab-delimited; ``t = (f - OrigDataStartFrame) / DataRate``.
  Pose2Sim's ``read_trc`` (used by Sports2D's ``--load_trc_px``) takes the
  marker names as ``line4.split('\\t')[2::3]`` and the data with pandas,
  ``read_csv(sep='\\t', skiprows=4)``.
* ``.mot``: OpenSim's "Motion (.mot) Files" page: a name line, ``nRows=``,
  ``nColumns=`` (counting the time column), other lines, ``endheader``, then
  the column labels, ``time`` first, and the rows.
* DeepLabCut CSV: DeepLabCut's output and movement's validator
  (``movement.validators.files.ValidDeepLabCutCSV``): the first column of the
  first rows reads ``scorer``, (``individuals``,) ``bodyparts``, ``coords``;
  then one row per frame, the frame index first.
"""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd

TRC_KEYS = ["DataRate", "CameraRate", "NumFrames", "NumMarkers", "Units", "OrigDataRate",
            "OrigDataStartFrame", "OrigNumFrames"]  # fmt: skip


def check_trc(text: str, file_name: str) -> dict:
    """Check a .trc line by line against OpenSim's rules; return what it holds.

    Raises AssertionError naming the rule broken.
    """
    assert text.endswith("\n") and "\r" not in text, "tab-delimited lines, \\n line ends"
    lines = text.split("\n")[:-1]
    first = lines[0].split("\t")
    assert first == ["PathFileType", "4", "(X/Y/Z)", file_name], f"line 1: {first}"
    assert lines[1].split("\t") == TRC_KEYS, f"line 2: {lines[1]!r}"
    values = lines[2].split("\t")
    assert len(values) == len(TRC_KEYS), f"line 3 has {len(values)} values"
    header = dict(zip(TRC_KEYS, values, strict=True))
    rate = float(header["DataRate"])
    assert rate > 0 and float(header["CameraRate"]) == rate == float(header["OrigDataRate"])
    n_frames, n_markers = int(header["NumFrames"]), int(header["NumMarkers"])
    assert int(header["OrigNumFrames"]) == n_frames
    start = int(header["OrigDataStartFrame"])
    labels = lines[3].split("\t")
    assert labels[:2] == ["Frame#", "Time"], f"line 4 starts {labels[:2]}"
    names = labels[2::3]
    padding = [c for i, c in enumerate(labels[2:]) if i % 3]
    assert all(c == "" for c in padding), "each marker name is followed by two empty columns"
    assert len(names) == n_markers and all(names), f"{len(names)} names for {n_markers} markers"
    coords = lines[4].split("\t")
    assert coords[:2] == ["", ""], "line 5 starts with two empty columns"
    assert coords[2:] == [f"{a}{i}" for i in range(1, n_markers + 1) for a in "XYZ"], "line 5"
    assert lines[5] == "", "a blank row follows the column labels"
    rows = [line.split("\t") for line in lines[6:]]
    assert len(rows) == n_frames, f"NumFrames {n_frames}, rows {len(rows)}"
    frames = np.array([int(r[0]) for r in rows])
    times = np.array([float(r[1]) for r in rows])
    assert all(len(r) == 2 + 3 * n_markers for r in rows), "frame, time, 3 values per marker"
    assert frames[0] == start and np.all(np.diff(frames) == 1), "frames count up from the start"
    assert np.allclose(times - times[0], (frames - start) / rate, atol=0.5 / rate)
    data = np.array([[math.nan if c == "" else float(c) for c in r[2:]] for r in rows])
    return {"header": header, "markers": names, "frames": frames, "times": times,
            "xyz": data.reshape(n_frames, n_markers, 3)}  # fmt: skip


def read_trc_like_pose2sim(text: str) -> tuple[list[str], pd.DataFrame]:
    """Pose2Sim's ``read_trc`` logic: names from line 4, data by pandas after 4 lines."""
    header = text.split("\n")[:5]
    markers = [m.strip() for m in header[3].split("\t")[2::3] if m.strip()]
    frame = pd.read_csv(io.StringIO(text), sep="\t", skiprows=4, encoding="utf-8")
    data = frame.drop(frame.columns[[0, 1]], axis=1)
    data = data.loc[:, ~data.columns.str.startswith("Unnamed")]
    data.columns = [m for m in markers for _ in range(3)]
    return markers, data


def check_mot(text: str, *, columns_with_time: bool = True) -> dict:
    """Check a .mot against OpenSim's header rules; return its columns.

    ``columns_with_time=False`` accepts an ``nColumns`` that leaves out the
    time column, as Sports2D writes it.
    """
    lines = text.split("\n")
    end = lines.index("endheader")
    header = lines[:end]
    assert header[0] and "=" not in header[0], "line 1 is the motion's name"
    fields = dict(line.split("=", 1) for line in header[1:] if "=" in line)
    assert fields.get("version") == "1"
    assert fields.get("inDegrees") == "yes"
    labels = lines[end + 1].split("\t")
    assert labels[0] == "time", "the first column is time"
    rows = [line.split("\t") for line in lines[end + 2 :] if line]
    assert int(fields["nRows"]) == len(rows), "nRows counts the data rows"
    counted = len(labels) if columns_with_time else len(labels) - 1
    assert int(fields["nColumns"]) == counted, "nColumns counts every column, time included"
    assert all(len(r) == len(labels) for r in rows)
    values = np.array([[float(c) for c in r] for r in rows])
    assert np.all(np.diff(values[:, 0]) > 0), "time increases"
    return {name: values[:, i] for i, name in enumerate(labels)}


def read_dlc_csv(text: str) -> dict:
    """DeepLabCut's CSV by its published layout: levels, then frame rows."""
    rows = [line.split(",") for line in text.split("\n") if line]
    firsts = [r[0] for r in rows[:4]]
    levels = ["scorer", "bodyparts", "coords"] if firsts[3].isdigit() else \
        ["scorer", "individuals", "bodyparts", "coords"]  # fmt: skip
    assert firsts[: len(levels)] == levels, f"header levels {firsts}"
    head = dict(zip(levels, rows[: len(levels)], strict=True))
    width = len(head["scorer"])
    assert all(len(r) == width for r in rows), "every row has the header's width"
    coords = head["coords"][1:]
    assert coords == ["x", "y", "likelihood"] * (len(coords) // 3)
    parts = head["bodyparts"][1::3]
    assert head["bodyparts"][1:] == [p for p in parts for _ in range(3)]
    data = rows[len(levels) :]
    index = [int(r[0]) for r in data]
    values = np.array([[math.nan if c == "" else float(c) for c in r[1:]] for r in data])
    return {"levels": levels, "scorer": head["scorer"][1], "bodyparts": parts, "index": index,
            "values": values.reshape(len(data), -1, 3)}  # fmt: skip
