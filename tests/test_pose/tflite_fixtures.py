"""Tiny TFLite-shaped flatbuffers for testing the metadata splice."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import flatbuffers


def build_fake_tflite(
    buffers: list[bytes], entries: list[tuple[str, int]], description: str = "test"
) -> bytes:
    """A ``Model`` table with the given buffers and metadata entries (no ops)."""
    b = flatbuffers.Builder(256)
    buffer_tables = []
    for data in buffers:
        vec = b.CreateByteVector(data) if data else None
        b.StartObject(3)
        if vec is not None:
            b.PrependUOffsetTRelativeSlot(0, vec, 0)
        buffer_tables.append(b.EndObject())
    entry_tables = []
    for name, index in entries:
        s = b.CreateString(name)
        b.StartObject(2)
        b.PrependUOffsetTRelativeSlot(0, s, 0)
        b.PrependUint32Slot(1, index, 0)
        entry_tables.append(b.EndObject())

    def vector(offsets: list[int]) -> int:
        b.StartVector(4, len(offsets), 4)
        for o in reversed(offsets):
            b.PrependUOffsetTRelative(o)
        return b.EndVector()

    buffers_vec = vector(buffer_tables)
    entries_vec = vector(entry_tables)
    desc = b.CreateString(description)
    b.StartObject(8)
    b.PrependUint32Slot(0, 3, 0)
    b.PrependUOffsetTRelativeSlot(3, desc, 0)
    b.PrependUOffsetTRelativeSlot(4, buffers_vec, 0)
    b.PrependUOffsetTRelativeSlot(6, entries_vec, 0)
    b.Finish(b.EndObject(), file_identifier=b"TFL3")
    return bytes(b.Output())


def load_mediapipe_schema(name: str) -> ModuleType:
    """Load one of MediaPipe's generated flatbuffer readers, as a reference.

    Used only by tests, as an independent implementation to check ours.
    """
    import mediapipe

    path = Path(mediapipe.__file__).parent / "tasks" / "metadata" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_ref_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
