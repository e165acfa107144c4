"""Read the display matrix of an MP4/MOV video track without decoding.

PyAV 18 exposes a stream's display rotation only on decoded frames. For
MP4/MOV files the matrix sits in the ``tkhd`` (track) and ``mvhd`` (movie)
boxes; reading it directly, as FFmpeg does, lets :func:`probe_video` report
the rotation of phone videos without touching pixel data.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

_IDENTITY_MATRIX = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)
_BOX_HEADER = struct.Struct(">I4s")


class Mp4ParseError(Exception):
    """The MP4 box structure could not be followed."""


def _iter_boxes(fh: BinaryIO, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """Yield ``(type, payload_start, payload_end)`` for boxes in a byte range."""
    pos = start
    while pos + 8 <= end:
        fh.seek(pos)
        size, kind = _BOX_HEADER.unpack(fh.read(8))
        header = 8
        if size == 1:
            size = struct.unpack(">Q", fh.read(8))[0]
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            raise Mp4ParseError(f"bad {kind!r} box at byte {pos}")
        yield kind, pos + header, pos + size
        pos += size


def _find_box(fh: BinaryIO, start: int, end: int, kind: bytes) -> tuple[int, int]:
    """Return the payload range of the first ``kind`` box in a byte range."""
    for box, lo, hi in _iter_boxes(fh, start, end):
        if box == kind:
            return lo, hi
    raise Mp4ParseError(f"no {kind!r} box")


def _read_matrix(fh: BinaryIO, offset: int) -> tuple[float, ...]:
    """Read a 3×3 MP4 matrix (16.16 fixed, last column 2.30) as floats."""
    fh.seek(offset)
    raw = struct.unpack(">9i", fh.read(36))
    return tuple(v / (1 << 30) if i % 3 == 2 else v / (1 << 16) for i, v in enumerate(raw))


def _read_full_box_version(fh: BinaryIO, offset: int) -> int:
    """Return the version byte of a full box whose payload starts at ``offset``."""
    fh.seek(offset)
    return fh.read(1)[0]


def _multiply_matrices(left: Sequence[float], right: Sequence[float]) -> tuple[float, ...]:
    """Multiply two row-major 3×3 matrices."""
    return tuple(
        sum(left[3 * i + e] * right[3 * e + j] for e in range(3))
        for i in range(3)
        for j in range(3)
    )


def _find_track_matrix(
    fh: BinaryIO, moov: tuple[int, int], track_id: int
) -> tuple[float, ...] | None:
    """Return the ``tkhd`` matrix of the track with ``track_id``, if any."""
    for kind, lo, hi in _iter_boxes(fh, *moov):
        if kind != b"trak":
            continue
        tkhd, _ = _find_box(fh, lo, hi, b"tkhd")
        version = _read_full_box_version(fh, tkhd)
        id_offset, matrix_offset = (20, 52) if version == 1 else (12, 40)
        fh.seek(tkhd + id_offset)
        if struct.unpack(">I", fh.read(4))[0] == track_id:
            return _read_matrix(fh, tkhd + matrix_offset)
    return None


def read_mp4_display_matrix(path: Path, track_id: int) -> tuple[float, ...]:
    """Return the combined movie × track display matrix of an MP4/MOV track.

    As FFmpeg's MOV demuxer does, the track (``tkhd``) matrix is multiplied by
    the movie (``mvhd``) matrix. Returns the identity when the track is not
    found.
    """
    with path.open("rb") as fh:
        end = fh.seek(0, os.SEEK_END)
        moov = _find_box(fh, 0, end, b"moov")
        mvhd, _ = _find_box(fh, *moov, b"mvhd")
        mvhd_version = _read_full_box_version(fh, mvhd)
        movie = _read_matrix(fh, mvhd + (48 if mvhd_version == 1 else 36))
        track = _find_track_matrix(fh, moov, track_id)
    if track is None:
        return _IDENTITY_MATRIX
    return _multiply_matrices(track, movie)
