"""Text is never mirrored: the follow-up turned to face the baseline keeps its text readable."""

from __future__ import annotations

import numpy as np

from runform.io.results import save_json
from runform.io.video_writer import VideoWriter
from runform.report.side_by_side import HEIGHT, mirror_keeping_text, pair_frames
from runform.report.video import TextLayer, text_layer_path
from runform.viz.text import draw_labels, make_label, mirror_label, text_regions

WIDTH, TALL = 320, 240


def gradient():
    """A background that is not symmetric, so a mirrored one is told apart."""
    x = np.linspace(40, 200, WIDTH)[None, :, None]
    return np.broadcast_to(x, (TALL, WIDTH, 3)).astype(np.uint8).copy()


def test_mirrored_text_reads_as_if_drawn_after_the_flip():
    background = np.full((TALL, WIDTH, 3), 90, np.uint8)
    label = make_label(["knee 33°"], (30, 100), 18, (255, 200, 80))
    annotated = draw_labels(background, [label])
    regions = text_regions([label], (WIDTH, TALL))
    shown = mirror_keeping_text(annotated, regions)
    # the same as flipping the clean frame, then writing the text at its mirrored place
    expected = draw_labels(background[:, ::-1], [mirror_label(label, WIDTH)])
    assert np.array_equal(shown, expected)
    # whereas flipping the annotated frame writes it backwards
    assert not np.array_equal(np.ascontiguousarray(annotated[:, ::-1]), expected)


def test_only_the_text_keeps_its_direction():
    background = gradient()
    label = make_label(["fall 20°"], (200, 20), 16)
    annotated = draw_labels(background, [label])
    (box,) = text_regions([label], (WIDTH, TALL))
    shown = mirror_keeping_text(annotated, [box])
    x0, y0, x1, y1 = (round(v) for v in box)
    # the text, as written, now sits at the mirror image of its box
    assert np.array_equal(shown[y0:y1, WIDTH - x1 : WIDTH - x0], annotated[y0:y1, x0:x1])
    # everything else is mirrored
    outside = np.ones((TALL, WIDTH), bool)
    outside[y0:y1, WIDTH - x1 : WIDTH - x0] = False
    assert np.array_equal(shown[outside], annotated[:, ::-1][outside])


def _write(path, frames, fps=30):
    with VideoWriter(path, fps) as writer:
        for frame in frames:
            writer.write(frame)
    return path


def test_side_by_side_shows_the_follow_ups_text_the_right_way_round(tmp_path):
    background = np.full((TALL, WIDTH, 3), 70, np.uint8)
    label = make_label(["HUD 181 spm"], (16, 60), 22, (255, 255, 255), box_alpha=0.8)
    annotated = draw_labels(background, [label])
    baseline = _write(tmp_path / "a.mp4", [background] * 6)
    follow = _write(tmp_path / "b.mp4", [annotated] * 6)
    regions = text_regions([label], (WIDTH, TALL))
    layer = TextLayer(30.0, (WIDTH, TALL), (regions,) * 6)
    save_json(layer.to_dict(), text_layer_path(follow))

    pair = next(pair_frames((baseline, follow), (0.0, 0.0), ("a", "b"), True, layer))
    scale = HEIGHT / TALL
    right = pair[:, pair.shape[1] - round(WIDTH * scale) :]
    mirrored = mirror_label(label, WIDTH)
    x0, y0, x1, y1 = (round(v * scale) for v in mirrored.box)
    seen = right[y0:y1, x0:x1].astype(float)

    def rendered(image):
        import cv2

        big = cv2.resize(image, (round(WIDTH * scale), HEIGHT), interpolation=cv2.INTER_AREA)
        return big[y0:y1, x0:x1].astype(float)

    readable = rendered(draw_labels(background, [mirrored]))
    backwards = rendered(np.ascontiguousarray(annotated[:, ::-1]))
    error_readable = np.abs(seen - readable).mean()
    error_backwards = np.abs(seen - backwards).mean()
    assert error_readable < 6.0
    assert error_readable < 0.3 * error_backwards
