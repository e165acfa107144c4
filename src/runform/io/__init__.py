"""Input and output: video files, the poses dataset and its cache.

Modules
-------
``runform.io.video``
    :func:`~runform.io.video.probe_video` and
    :func:`~runform.io.video.iter_frames`: read a clip's properties and stream
    upright RGB frames with real-world timestamps.
``runform.io.video_writer``
    :class:`~runform.io.video_writer.VideoWriter`: write RGB frames to an
    H.264 MP4 file atomically at an exact frame rate.
``runform.io.poses``, ``runform.io.cache``
    The poses dataset and its content-addressed cache.

Nothing is re-exported here, so importing one module does not load the
others' heavy dependencies (PyAV, xarray).
"""
