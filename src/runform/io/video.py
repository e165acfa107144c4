"""Read video files: properties, and decoded RGB frames with true timestamps.

:func:`probe_video` reports a clip's standard properties (exact rational frame
rate, frame count, display size, rotation, codec, …) without decoding pixels.
:func:`iter_frames` streams decoded frames as upright ``H×W×3`` ``uint8`` RGB
arrays, each with its presentation time taken from the file's timestamps, so
variable-frame-rate phone video gets true times rather than ``i / fps``;
a damaged file loses its corrupt frames, frames with a missing, repeated or
backward timestamp, and the frames after damage up to the next keyframe, so
times always increase and no frame shows concealment "ghosts".

Conventions
-----------
Sizes are in pixels, times in seconds. ``width``/``height`` are the *display*
size, after the container's display rotation; ``coded_width``/``coded_height``
are the size of the frames as stored. Rotation angles are degrees
counter-clockwise, as FFmpeg's ``av_display_rotation_get`` and PyAV's
``VideoFrame.rotation`` report them: a phone held upright usually stores
landscape frames with a rotation of -90 (normalised here to 270), meaning the
stored image must be turned 90° clockwise to be shown upright. Pixels are
assumed square (the sample aspect ratio is not applied); display-matrix
mirroring is not applied either.

Every problem with the input file is raised as
:class:`~runform.errors.InputFileError` or its subclass
:class:`~runform.errors.VideoDecodeError`; no PyAV/FFmpeg exception escapes.

The code lives in five modules, all re-exported here: :mod:`.video_probe`
(opening, properties), :mod:`.video_decode` (frames and their timestamps),
:mod:`.decode_report` (what a damaged file loses), :mod:`.video_seek` (frames
at given times) and :mod:`.video_geometry` (pure rotation and size helpers).
"""

from __future__ import annotations

from runform.io.decode_report import CorruptFramesWarning, DecodeReport
from runform.io.video_decode import Frame, iter_frames
from runform.io.video_geometry import (
    compute_display_size,
    compute_rotation_from_matrix,
    compute_scaled_size,
    normalize_rotation,
    rotate_image,
)
from runform.io.video_probe import VideoProperties, count_frames, probe_video
from runform.io.video_seek import (
    SEQUENTIAL_GAP_S,
    find_keyframe_time,
    read_frame_at,
    read_frames_at,
)

__all__ = [
    "SEQUENTIAL_GAP_S",
    "CorruptFramesWarning",
    "DecodeReport",
    "Frame",
    "VideoProperties",
    "compute_display_size",
    "compute_rotation_from_matrix",
    "compute_scaled_size",
    "count_frames",
    "find_keyframe_time",
    "iter_frames",
    "normalize_rotation",
    "probe_video",
    "read_frame_at",
    "read_frames_at",
    "rotate_image",
]
