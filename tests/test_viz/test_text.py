"""Text is DejaVu Sans through Pillow: anti-aliased, outlined or boxed, never doubled."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from runform.viz.annotate import AS_PLAYED, format_hud
from runform.viz.overlay import draw_panel, panel_label
from runform.viz.text import (
    INK,
    arrange_labels,
    draw_labels,
    find_font_file,
    load_font,
    make_label,
    mirror_label,
)

GREY = 200


def plain(height=360, width=640, value=GREY):
    return np.full((height, width, 3), value, np.uint8)


def test_the_font_is_dejavu_sans_loaded_once_per_size():
    assert Path(find_font_file()).name == "DejaVuSans.ttf"
    assert Path(find_font_file(bold=True)).name == "DejaVuSans-Bold.ttf"
    assert load_font(18) is load_font(18)
    assert load_font(18) is not load_font(24)


def test_text_is_anti_aliased():
    label = make_label(["knee 33°"], (20, 20), 20, (255, 255, 255), box_alpha=0.0)
    out = draw_labels(plain(value=0), [label])
    levels = np.unique(out[..., 0])
    # smooth edges: many grey levels between black and white, not just the two
    assert len(levels) > 20


def test_outline_sits_on_the_letters():
    """The old HUD drew its outline with a wider advance: a ghost copy that read ``))``."""
    label = make_label(["cadence 69 spm"], (40, 40), 20, (255, 255, 255), box_alpha=0.0)
    out = draw_labels(plain(), [label]).astype(int)
    light = np.argwhere(out[..., 0] > 240)
    dark = np.argwhere(out[..., 0] < 60)
    assert light.size and dark.size
    (ly0, lx0), (ly1, lx1) = light.min(0), light.max(0)
    (dy0, dx0), (dy1, dx1) = dark.min(0), dark.max(0)
    assert dx0 >= lx0 - 3 and dx1 <= lx1 + 3  # no outline trailing beyond the text
    assert dy0 >= ly0 - 3 and dy1 <= ly1 + 3


def test_hud_text_is_not_doubled_on_its_box():
    lines = ["cadence 69 spm", "contact 194 ms", AS_PLAYED]
    out = draw_panel(plain(), lines, "top-right", 0.6)
    x0, y0, x1, y1 = (round(v) for v in panel_label((640, 360), lines, "top-right").box)
    inside = out[y0 + 1 : y1 - 1, x0 + 1 : x1 - 1].astype(int)
    box = round(GREY * 0.45 + INK[0] * 0.55)
    # light text on the translucent box: nothing darker than the box (no dark ghost text)
    assert inside.min() >= box - 3
    assert (inside > box + 60).any()


def test_hud_lines_read_once_with_balanced_parentheses():
    assert format_hud(69.4, 194.0, slowed=False) == ("cadence 69 spm", "contact 194 ms")
    slowed = format_hud(69.4, 194.0, slowed=True)
    assert slowed == ("cadence 69 spm", "contact 194 ms", AS_PLAYED)
    for line in slowed:
        assert line.count("(") == line.count(")")
        assert "))" not in line
    assert format_hud(None, float("nan"), slowed=True) == ()


def test_panels_stay_and_floating_labels_move_off_them():
    panel = panel_label((640, 360), ["Pose"], "top-left", 0.9)
    under = make_label(["knee 33°"], (panel.x + 5, panel.y + 5), 18)
    placed_panel, placed = arrange_labels([panel, under], (640, 360))
    assert placed_panel == panel
    assert placed.y >= panel.y + panel.height


def test_mirror_label_keeps_size_and_mirrors_the_box():
    label = make_label(["fall 20°"], (100, 50), 18)
    mirrored = mirror_label(label, 640)
    assert (mirrored.width, mirrored.height, mirrored.y) == (label.width, label.height, label.y)
    assert mirrored.box[2] == 640 - label.box[0]
    assert mirrored.box[0] == 640 - label.box[2]
