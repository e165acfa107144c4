"""Contact sheets of enlarged foot crops, for labelling gait events by eye.

Used to make the hand labels in ``tests/data/event_labels/`` (protocol in
``docs/accuracy.md``). Frames are numbered as runform numbers them: the
0-based index of the decoded frame, the ``frame`` coordinate of a poses
dataset.

Examples
--------
Frames 100-135 of a clip, the crop centred on the feet found in a poses file::

    python benchmarks/labelling/foot_strip.py CLIP.mp4 --start 100 --stop 136 \
        --poses OUT/poses.nc -o /tmp/strip.png

The same frames, a fixed box (x0,y0,x1,y1 in pixels of the displayed frame)::

    python benchmarks/labelling/foot_strip.py CLIP.mp4 --start 100 --stop 136 \
        --box 600,500,1000,720 -o /tmp/strip.png

``--full`` draws whole frames (small) instead of crops, to find the feet.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw

FOOT_KEYPOINTS = (
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
    "left_ankle",
    "right_ankle",
)


def read_frames(path: Path, start: int, stop: int) -> dict[int, np.ndarray]:
    """Decode frames ``start..stop-1`` (0-based decode order) as RGB arrays."""
    out: dict[int, np.ndarray] = {}
    with av.open(str(path)) as container:
        for index, frame in enumerate(container.decode(video=0)):
            if index >= stop:
                break
            if index >= start:
                out[index] = frame.to_ndarray(format="rgb24")
    return out


def find_box(
    poses: Path, start: int, stop: int, shape: tuple[int, int], margin: float
) -> tuple[int, int, int, int]:
    """Box around every foot keypoint over the frames (pixels), padded by ``margin`` of its size."""
    import xarray as xr

    ds = xr.open_dataset(poses, engine="h5netcdf")
    frames = ds["frame"].values
    sel = (frames >= start) & (frames < stop)
    pos = ds["position"].isel(time=np.flatnonzero(sel)).sel(keypoint=list(FOOT_KEYPOINTS))
    xs = pos.sel(space="x").values.ravel()
    ys = pos.sel(space="y").values.ravel()
    xs, ys = xs[np.isfinite(xs)], ys[np.isfinite(ys)]
    h, w = shape
    if xs.size == 0:
        return 0, h // 2, w, h
    x0, x1 = np.percentile(xs, [1, 99])
    y0, y1 = np.percentile(ys, [1, 99])
    size = max(x1 - x0, y1 - y0, 40.0)
    pad = margin * size
    return (
        int(max(0, x0 - pad)),
        int(max(0, y0 - pad)),
        int(min(w, x1 + pad)),
        int(min(h, y1 + pad)),
    )


def find_follow_centres(poses: Path, keys: list[int]) -> dict[int, float]:
    """Per frame, the x of the middle of the feet (pixels), for a crop that follows the runner."""
    import xarray as xr

    ds = xr.open_dataset(poses, engine="h5netcdf")
    frames = ds["frame"].values
    xs = ds["position"].sel(space="x", keypoint=list(FOOT_KEYPOINTS)).values[..., 0]
    centre = np.nanmedian(np.where(np.isfinite(xs), xs, np.nan), axis=1)
    ok = np.isfinite(centre)
    out: dict[int, float] = {}
    for key in keys:
        if ok.any():
            out[key] = float(np.interp(key, frames[ok], centre[ok]))
    return out


def draw_sheet(
    frames: dict[int, np.ndarray],
    box: tuple[int, int, int, int] | None,
    cell: int,
    columns: int,
    centres: dict[int, float] | None = None,
) -> Image.Image:
    """Grid of crops, each labelled with its frame number, with ticks every 10 % of the crop height.

    With ``centres`` the crop keeps the box's rows and size but is moved
    sideways to each frame's centre (the rows stay fixed so that heights
    compare between frames).
    """
    keys = sorted(frames)
    first = frames[keys[0]]
    x0, y0, x1, y1 = box if box else (0, 0, first.shape[1], first.shape[0])
    aspect = (y1 - y0) / max(1, x1 - x0)
    cw, ch = cell, max(40, int(cell * aspect))
    rows = (len(keys) + columns - 1) // columns
    sheet = Image.new("RGB", (columns * cw, rows * (ch + 16)), "black")
    draw = ImageDraw.Draw(sheet)
    for n, key in enumerate(keys):
        fx0, fx1 = x0, x1
        if centres and key in centres:
            half = (x1 - x0) // 2
            fx0 = int(np.clip(centres[key] - half, 0, first.shape[1] - 2 * half))
            fx1 = fx0 + 2 * half
        crop = Image.fromarray(frames[key][y0:y1, fx0:fx1]).resize(
            (cw, ch), Image.Resampling.LANCZOS
        )
        cdraw = ImageDraw.Draw(crop)
        for k in range(1, 10):  # horizontal reference lines to judge small height changes
            yy = k * ch // 10
            cdraw.line([(0, yy), (6, yy)], fill=(255, 255, 0))
            cdraw.line([(cw - 7, yy), (cw - 1, yy)], fill=(255, 255, 0))
        col, row = n % columns, n // columns
        sheet.paste(crop, (col * cw, row * (ch + 16) + 16))
        draw.text((col * cw + 3, row * (ch + 16) + 2), f"frame {key}", fill=(255, 255, 255))
    return sheet


def main() -> None:
    """Command line: write one contact sheet."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("video", type=Path)
    parser.add_argument("--start", type=int, required=True)
    parser.add_argument("--stop", type=int, required=True, help="exclusive")
    parser.add_argument("--box", help="x0,y0,x1,y1 in pixels")
    parser.add_argument(
        "--poses", type=Path, help="poses.nc of the clip: centre the crop on the feet"
    )
    parser.add_argument("--margin", type=float, default=0.25)
    parser.add_argument(
        "--follow",
        type=int,
        metavar="WIDTH",
        help="with --poses: a crop WIDTH px wide that follows the feet sideways",
    )
    parser.add_argument("--full", action="store_true", help="whole frames, not crops")
    parser.add_argument("--cell", type=int, default=320, help="width of one crop, px")
    parser.add_argument("--columns", type=int, default=6)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    frames = read_frames(args.video, args.start, args.stop)
    if not frames:
        raise SystemExit(f"no frames in {args.start}..{args.stop - 1}")
    first = next(iter(frames.values()))
    box = None
    if args.box:
        x0, y0, x1, y1 = (int(v) for v in args.box.split(","))
        box = (x0, y0, x1, y1)
    elif args.poses and not args.full:
        box = find_box(args.poses, args.start, args.stop, first.shape[:2], args.margin)
    centres = None
    if args.follow and args.poses and box is not None:
        centres = find_follow_centres(args.poses, sorted(frames))
        mid = (box[0] + box[2]) // 2
        low, high = box[1], box[3]
        grow = max(0, int(0.6 * args.follow) - (high - low))
        low, high = max(0, low - grow // 2), min(first.shape[0], high + grow - grow // 2)
        box = (mid - args.follow // 2, low, mid + args.follow // 2, high)
    sheet = draw_sheet(frames, box, args.cell, args.columns, centres)
    sheet.save(args.output)
    print(f"{args.output}: frames {min(frames)}-{max(frames)}, box {box}")


if __name__ == "__main__":
    main()
