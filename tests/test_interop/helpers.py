"""Helpers of the interop tests: analyse a source, compare analyses, make a video."""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np

from runform.cli import main

WIDE = {"width_px": 1920, "height_px": 1080, "figure_height_frac": 0.42}
HEIGHT_CM = "175"


def analyse(source: Path, out: Path, *extra: str) -> dict:
    """``runform analyze SOURCE -o OUT --height-cm 175``; return analysis.json."""
    code = main(
        ["analyze", str(source), "-o", str(out), "--height-cm", HEIGHT_CM, "--quiet", *extra]
    )
    assert code == 0
    return json.loads((out / "analysis.json").read_text())


def timing(events: list[dict]) -> list[tuple]:
    """Events without their confidence (a .trc carries no confidence)."""
    return [(e["side"], e["type"], e["frame"], e["time_s"]) for e in events]


def verdicts(analysis: dict) -> list[tuple]:
    return [(c["id"], c["status"], c["value"]) for c in analysis["checkpoints"]]


def make_video(
    path: Path, *, fps: int = 60, size: tuple[int, int] = (1920, 1080), frames: int = 3
) -> Path:
    """A tiny real MP4 (the frame rate and size are what matter)."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=fps)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        for _ in range(frames):
            pixels = np.zeros((size[1], size[0], 3), dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path
