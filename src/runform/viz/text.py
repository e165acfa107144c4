"""Text on frames, in its own pass: DejaVu Sans through Pillow, anti-aliased.

Drawing a frame takes two passes. The first draws the geometry (skeleton,
lines, arcs) on the pixels; the second writes the text: :class:`Label`
values that say what to write and where, placed so that none lies on
another (:func:`arrange_labels`) and drawn last (:func:`draw_labels`).
Because the text is kept apart, a caller can mirror, crop or resize the
frame between the passes and still write text that reads the right way
round at the size it wants.

Every label is written on a translucent dark box, and text without a full
box gets a dark outline, so it reads on any background. The font is
DejaVu Sans, which matplotlib ships; fonts are loaded once per size
(:func:`load_font`, cached).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont

from runform.viz.placement import Box, merge_boxes, place_boxes

Image = NDArray[np.uint8]
Colour = tuple[int, int, int]
Point = tuple[float, float]

#: Dark ink of boxes and outlines.
INK: Colour = (20, 20, 20)
#: Light text colour.
CENTRE: Colour = (235, 235, 235)
#: Smallest font size written, pixels.
MIN_SIZE_PX = 9


@functools.lru_cache(maxsize=8)
def find_font_file(bold: bool = False) -> str:
    """Path of DejaVu Sans (bold or regular), the font matplotlib ships."""
    from matplotlib import font_manager

    properties = font_manager.FontProperties(
        family="DejaVu Sans", weight="bold" if bold else "normal"
    )
    return str(font_manager.findfont(properties))


@functools.lru_cache(maxsize=64)
def load_font(size_px: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """DejaVu Sans at ``size_px`` pixels, loaded once per size and weight."""
    return ImageFont.truetype(find_font_file(bold), max(MIN_SIZE_PX, int(size_px)))


@dataclass(frozen=True)
class Label:
    """One block of text and where it goes: the box it fills, in image pixels.

    Attributes
    ----------
    lines
        The lines of text, top to bottom.
    x, y
        Top-left corner of the label's box.
    width, height
        Size of the box (see :func:`measure_label`).
    size_px
        Font size, pixels.
    colour
        Text colour (RGB).
    box_alpha
        Opacity of the dark box behind the text (0 for none); text on a box
        lighter than :data:`OUTLINE_BELOW` also gets a dark outline.
    movable
        ``False`` for labels that must stay where they are (corner panels,
        a banner); others are moved to avoid them (:func:`arrange_labels`).
    bold
        Bold type.
    """

    lines: tuple[str, ...]
    x: float
    y: float
    width: float
    height: float
    size_px: int
    colour: Colour = CENTRE
    box_alpha: float = 0.55
    movable: bool = True
    bold: bool = False

    @property
    def box(self) -> Box:
        """``(x0, y0, x1, y1)`` of the label's box."""
        return (self.x, self.y, self.x + self.width, self.y + self.height)


#: Boxes lighter than this get an outline around the letters too.
OUTLINE_BELOW = 0.5


def _padding(size_px: int) -> int:
    return max(2, round(0.3 * size_px))


def _line_height(size_px: int, bold: bool) -> int:
    ascent, descent = load_font(size_px, bold).getmetrics()
    return ascent + descent


def _outline(size_px: int) -> int:
    return max(1, round(size_px / 14))


def measure_label(lines: Sequence[str], size_px: int, bold: bool = False) -> tuple[int, int]:
    """Width and height of a label's box: the widest line and every line, plus padding."""
    font = load_font(size_px, bold)
    pad = _padding(size_px) + _outline(size_px)
    width = max((font.getlength(line) for line in lines), default=0.0)
    return int(np.ceil(width)) + 2 * pad, _line_height(size_px, bold) * len(lines) + 2 * pad


#: Which point of the box an anchor names: fractions of (width, height) from the top-left.
ALIGN = {
    "top-left": (0.0, 0.0),
    "top-right": (1.0, 0.0),
    "bottom-left": (0.0, 1.0),
    "bottom-right": (1.0, 1.0),
    "left": (0.0, 0.5),
    "right": (1.0, 0.5),
    "bottom": (0.5, 1.0),
    "top": (0.5, 0.0),
    "centre": (0.5, 0.5),
}


def make_label(
    lines: Sequence[str],
    anchor: Point,
    size_px: float,
    colour: Colour = CENTRE,
    align: str = "top-left",
    box_alpha: float = 0.55,
    movable: bool = True,
    bold: bool = False,
) -> Label:
    """Make a label whose box has its ``align`` point at ``anchor``.

    Parameters
    ----------
    lines
        Lines of text.
    anchor
        Pixel the box is aligned on.
    size_px
        Font size, pixels (at least :data:`MIN_SIZE_PX`).
    align
        Which point of the box is at ``anchor``: a key of :data:`ALIGN`
        (``"left"`` puts the box's left edge, middle height, there).
    box_alpha, movable, colour, bold
        As in :class:`Label`.
    """
    size = max(MIN_SIZE_PX, round(size_px))
    width, height = measure_label(lines, size, bold)
    fx, fy = ALIGN[align]
    return Label(tuple(lines), anchor[0] - fx * width, anchor[1] - fy * height, width, height,
                 size, colour, box_alpha, movable, bold)  # fmt: skip


def fit_size(lines: Sequence[str], size_px: float, max_width: float, bold: bool = False) -> int:
    """Find the largest font size up to ``size_px`` whose label is at most ``max_width`` wide."""
    size = max(MIN_SIZE_PX, round(size_px))
    while size > MIN_SIZE_PX and measure_label(lines, size, bold)[0] > max_width:
        size -= 1
    return size


def move_label(label: Label, box: Box) -> Label:
    """Move the label to the top-left corner of ``box``."""
    return replace(label, x=box[0], y=box[1])


def mirror_label(label: Label, width: float) -> Label:
    """Put the label at the mirror image of its box (``x -> width - x``), text unmirrored."""
    return replace(label, x=width - label.x - label.width)


def arrange_labels(labels: Sequence[Label], size: tuple[int, int]) -> list[Label]:
    """Move the movable labels so that no label lies on another; fixed ones stay.

    Parameters
    ----------
    labels
        Labels where they are wanted, the more important first (a label is
        never moved for one after it).
    size
        ``(width, height)`` of the image; labels are kept inside it.

    Returns
    -------
    list of Label
        The same labels in the same order, the movable ones moved
        vertically (see :func:`runform.viz.placement.place_boxes`), 4 pixels
        apart at 720 pixels high.
    """
    fixed = [label.box for label in labels if not label.movable]
    movable = [label for label in labels if label.movable]
    gap = max(2.0, 4.0 * size[1] / 720.0)
    boxes = place_boxes([label.box for label in movable], fixed, (0, 0, size[0], size[1]), gap)
    moved = iter(boxes)
    return [move_label(label, next(moved)) if label.movable else label for label in labels]


def text_regions(labels: Sequence[Label], size: tuple[int, int]) -> tuple[Box, ...]:
    """List the parts of the image the labels cover: whole pixels, overlapping boxes joined."""
    width, height = size
    boxes = []
    for label in labels:
        x0, y0, x1, y1 = label.box
        box = (max(0, int(np.floor(x0))), max(0, int(np.floor(y0))),
               min(width, int(np.ceil(x1))), min(height, int(np.ceil(y1))))  # fmt: skip
        if box[0] < box[2] and box[1] < box[3]:
            boxes.append((float(box[0]), float(box[1]), float(box[2]), float(box[3])))
    return merge_boxes(boxes)


def _darken(image: Image, box: Box, alpha: float) -> None:
    h, w = image.shape[:2]
    x0, y0 = max(0, round(box[0])), max(0, round(box[1]))
    x1, y1 = min(w, round(box[2])), min(h, round(box[3]))
    if x0 >= x1 or y0 >= y1 or alpha <= 0:
        return
    region = image[y0:y1, x0:x1].astype(np.float32)
    ink = np.asarray(INK, np.float32)
    image[y0:y1, x0:x1] = np.round(region * (1.0 - alpha) + ink * alpha).astype(np.uint8)


def draw_labels(image: Image, labels: Sequence[Label]) -> Image:
    """Write the labels on a copy of ``image``: every box first, then every text.

    Parameters
    ----------
    image
        ``H×W×3`` RGB ``uint8`` frame.
    labels
        Labels in the frame's pixels (placed already, see :func:`arrange_labels`).

    Returns
    -------
    numpy.ndarray
        A new frame.
    """
    out = np.array(image, dtype=np.uint8, copy=True)
    if not labels:
        return out
    for label in labels:
        _darken(out, label.box, label.box_alpha)
    canvas = PILImage.fromarray(out)
    draw = ImageDraw.Draw(canvas)
    for label in labels:
        font = load_font(label.size_px, label.bold)
        stroke = _outline(label.size_px) if label.box_alpha < OUTLINE_BELOW else 0
        inset = _padding(label.size_px) + _outline(label.size_px)
        step = _line_height(label.size_px, label.bold)
        for k, line in enumerate(label.lines):
            at = (round(label.x + inset), round(label.y + inset + k * step))
            draw.text(at, line, font=font, fill=label.colour, anchor="la",
                      stroke_width=stroke, stroke_fill=INK)  # fmt: skip
    return np.asarray(canvas, dtype=np.uint8).copy()
