"""Write TFLite model metadata with our own FlatBuffers code.

The MediaPipe Tasks API reads the input normalisation of an image model from
the TFLite *metadata* (the ``TFLITE_METADATA`` entry of the model flatbuffer,
whose buffer holds a ``ModelMetadata`` flatbuffer with file identifier
``M001``). The legacy pose models shipped in the ``mediapipe==0.10.21`` wheel
lack that information, so the Tasks API refuses them. This module

1. serialises a minimal ``ModelMetadata`` (one subgraph, an RGB image input
   with ``NormalizationOptions`` and named outputs) with ``flatbuffers.Builder``;
2. attaches it to an existing ``.tflite`` flatbuffer without a full TFLite
   schema, by *prepending* a new root ``Model`` table.

How the splice works
--------------------
In a flatbuffer, every reference from a table or vector to another object is
an unsigned offset that points *forward* (to a higher address); only the
table-to-vtable link is signed. A new root table written *in front of* the
old bytes can therefore reuse every old object (operator codes, subgraphs,
tensors, weight buffers) by pointing forward into them. Only two vectors are
new: ``buffers`` (old buffers plus one holding the metadata) and ``metadata``
(old entries, minus any stale ``TFLITE_METADATA``, plus ours). The prefix is
padded to a multiple of 16 bytes so the 16-byte alignment of weight buffers
is unchanged. The old root table stays in the file, unreferenced.

References: ``tensorflow/lite/schema/schema.fbs`` (``Model``, ``Buffer``,
``Metadata`` tables) and ``mediapipe/tasks/metadata/metadata_schema.fbs``
(schema version 1.5.0).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass

import flatbuffers

METADATA_NAME = "TFLITE_METADATA"
"""Name of the ``Model.metadata`` entry that holds the ModelMetadata buffer."""

_TFLITE_IDENTIFIER = b"TFL3"
_METADATA_IDENTIFIER = b"M001"
_MIN_PARSER_VERSION = "1.0.0"

# Field slots of tflite.Model (schema.fbs), in declaration order.
_MODEL_FIELDS = (
    "version",
    "operator_codes",
    "subgraphs",
    "description",
    "buffers",
    "metadata_buffer",
    "metadata",
    "signature_defs",
)
_ALIGN = 16

# Union type codes from metadata_schema.fbs (NONE = 0).
_CONTENT_IMAGE_PROPERTIES = 2
_PROCESS_UNIT_NORMALIZATION = 1
_COLOR_SPACE_RGB = 1


@dataclass(frozen=True)
class ImageModelSpec:
    """What the metadata says about an image model.

    Attributes
    ----------
    name
        Human-readable model name.
    description
        One-line description of the model.
    input_width, input_height
        Input tensor size in pixels.
    mean, std
        Per-channel (or single) normalisation: the model sees
        ``(pixel - mean) / std`` for pixel values in 0-255.
    output_names
        One name per output tensor, in the subgraph's output order.
    """

    name: str
    description: str
    input_width: int
    input_height: int
    mean: tuple[float, ...]
    std: tuple[float, ...]
    output_names: tuple[str, ...]


class TFLiteFormatError(ValueError):
    """The bytes are not a TFLite flatbuffer this module can extend."""


# ---------------------------------------------------------------- metadata


def _start_table(builder: flatbuffers.Builder, n_fields: int) -> None:
    builder.StartObject(n_fields)


def _build_float_vector(builder: flatbuffers.Builder, values: Sequence[float]) -> int:
    builder.StartVector(4, len(values), 4)
    for value in reversed(values):
        builder.PrependFloat32(float(value))
    return int(builder.EndVector())


def _build_offset_vector(builder: flatbuffers.Builder, offsets: Sequence[int]) -> int:
    builder.StartVector(4, len(offsets), 4)
    for offset in reversed(offsets):
        builder.PrependUOffsetTRelative(offset)
    return int(builder.EndVector())


def _build_image_input(builder: flatbuffers.Builder, spec: ImageModelSpec) -> int:
    """Serialise the TensorMetadata of an RGB image input with normalisation."""
    mean = _build_float_vector(builder, spec.mean)
    std = _build_float_vector(builder, spec.std)
    _start_table(builder, 2)  # NormalizationOptions {mean, std}
    builder.PrependUOffsetTRelativeSlot(0, mean, 0)
    builder.PrependUOffsetTRelativeSlot(1, std, 0)
    normalization = builder.EndObject()

    _start_table(builder, 2)  # ProcessUnit {options_type, options}
    builder.PrependUint8Slot(0, _PROCESS_UNIT_NORMALIZATION, 0)
    builder.PrependUOffsetTRelativeSlot(1, normalization, 0)
    process_unit = builder.EndObject()
    process_units = _build_offset_vector(builder, [process_unit])

    _start_table(builder, 2)  # ImageSize {width, height}
    builder.PrependUint32Slot(0, spec.input_width, 0)
    builder.PrependUint32Slot(1, spec.input_height, 0)
    image_size = builder.EndObject()
    _start_table(builder, 2)  # ImageProperties {color_space, default_size}
    builder.PrependInt8Slot(0, _COLOR_SPACE_RGB, 0)
    builder.PrependUOffsetTRelativeSlot(1, image_size, 0)
    image_properties = builder.EndObject()
    _start_table(builder, 3)  # Content {content_properties_type, _, range}
    builder.PrependUint8Slot(0, _CONTENT_IMAGE_PROPERTIES, 0)
    builder.PrependUOffsetTRelativeSlot(1, image_properties, 0)
    content = builder.EndObject()

    name = builder.CreateString("image")
    description = builder.CreateString("Input image to be processed.")
    _start_table(builder, 5)  # TensorMetadata {name, description, dims, content, pu}
    builder.PrependUOffsetTRelativeSlot(0, name, 0)
    builder.PrependUOffsetTRelativeSlot(1, description, 0)
    builder.PrependUOffsetTRelativeSlot(3, content, 0)
    builder.PrependUOffsetTRelativeSlot(4, process_units, 0)
    return int(builder.EndObject())


def _build_named_tensor(builder: flatbuffers.Builder, name: str) -> int:
    offset = builder.CreateString(name)
    _start_table(builder, 1)  # TensorMetadata {name}
    builder.PrependUOffsetTRelativeSlot(0, offset, 0)
    return int(builder.EndObject())


def build_image_model_metadata(spec: ImageModelSpec) -> bytes:
    """Serialise a ``ModelMetadata`` flatbuffer for an image model.

    Parameters
    ----------
    spec
        Input size, normalisation and output names of the model.

    Returns
    -------
    bytes
        A flatbuffer with file identifier ``M001``, ready to be attached with
        :func:`attach_metadata`.
    """
    if len(spec.mean) != len(spec.std) or not spec.mean:
        raise ValueError(
            f"mean and std must be non-empty and of equal length, "
            f"got {len(spec.mean)} and {len(spec.std)}"
        )
    if any(s <= 0 for s in spec.std):
        raise ValueError(f"std must be positive, got {spec.std}")
    builder = flatbuffers.Builder(1024)
    inputs = _build_offset_vector(builder, [_build_image_input(builder, spec)])
    outputs = _build_offset_vector(
        builder, [_build_named_tensor(builder, n) for n in spec.output_names]
    )
    _start_table(builder, 4)  # SubGraphMetadata {name, desc, inputs, outputs}
    builder.PrependUOffsetTRelativeSlot(2, inputs, 0)
    builder.PrependUOffsetTRelativeSlot(3, outputs, 0)
    subgraph = builder.EndObject()
    subgraphs = _build_offset_vector(builder, [subgraph])

    name = builder.CreateString(spec.name)
    description = builder.CreateString(spec.description)
    version = builder.CreateString("v1")
    min_parser = builder.CreateString(_MIN_PARSER_VERSION)
    _start_table(builder, 8)  # ModelMetadata
    builder.PrependUOffsetTRelativeSlot(0, name, 0)
    builder.PrependUOffsetTRelativeSlot(1, description, 0)
    builder.PrependUOffsetTRelativeSlot(2, version, 0)
    builder.PrependUOffsetTRelativeSlot(3, subgraphs, 0)
    builder.PrependUOffsetTRelativeSlot(7, min_parser, 0)
    root = builder.EndObject()
    builder.Finish(root, file_identifier=_METADATA_IDENTIFIER)
    return bytes(builder.Output())


# ---------------------------------------------------------------- reading


def _u32(buf: bytes, pos: int) -> int:
    return int(struct.unpack_from("<I", buf, pos)[0])


def _table_fields(buf: bytes, table: int, n_fields: int) -> list[int | None]:
    """Absolute positions of a table's fields (``None`` when absent)."""
    vtable = table - int(struct.unpack_from("<i", buf, table)[0])
    vtable_size = struct.unpack_from("<H", buf, vtable)[0]
    fields: list[int | None] = []
    for i in range(n_fields):
        entry = 4 + 2 * i
        voffset = struct.unpack_from("<H", buf, vtable + entry)[0] if entry < vtable_size else 0
        fields.append(table + voffset if voffset else None)
    return fields


def _deref(buf: bytes, pos: int | None) -> int | None:
    """Follow a uoffset stored at ``pos``."""
    return None if pos is None else pos + _u32(buf, pos)


def _vector_targets(buf: bytes, vector: int | None) -> list[int]:
    """Absolute positions of the tables referenced by a vector of offsets."""
    if vector is None:
        return []
    n = _u32(buf, vector)
    return [vector + 4 + 4 * i + _u32(buf, vector + 4 + 4 * i) for i in range(n)]


def _read_string(buf: bytes, pos: int | None) -> str | None:
    if pos is None:
        return None
    n = _u32(buf, pos)
    return buf[pos + 4 : pos + 4 + n].decode("utf-8")


def _metadata_entry_name(buf: bytes, entry: int) -> str | None:
    name_field, _ = _table_fields(buf, entry, 2)
    return _read_string(buf, _deref(buf, name_field))


def read_metadata_names(model: bytes) -> list[str]:
    """Names of the ``Model.metadata`` entries of a TFLite flatbuffer.

    Parameters
    ----------
    model
        The bytes of a ``.tflite`` file.

    Returns
    -------
    list of str
        Entry names, e.g. ``["min_runtime_version", "TFLITE_METADATA"]``.
    """
    root = _check_tflite(model)
    fields = dict(zip(_MODEL_FIELDS, _table_fields(model, root, len(_MODEL_FIELDS)), strict=True))
    entries = _vector_targets(model, _deref(model, fields["metadata"]))
    return [_metadata_entry_name(model, e) or "" for e in entries]


def read_metadata_buffer(model: bytes, name: str = METADATA_NAME) -> bytes | None:
    """Return the bytes of the buffer a named metadata entry points to.

    Parameters
    ----------
    model
        The bytes of a ``.tflite`` file.
    name
        Metadata entry name.

    Returns
    -------
    bytes or None
        The buffer's data, or ``None`` when there is no such entry.
    """
    root = _check_tflite(model)
    fields = dict(zip(_MODEL_FIELDS, _table_fields(model, root, len(_MODEL_FIELDS)), strict=True))
    buffers = _vector_targets(model, _deref(model, fields["buffers"]))
    for entry in _vector_targets(model, _deref(model, fields["metadata"])):
        name_field, index_field = _table_fields(model, entry, 2)
        if _read_string(model, _deref(model, name_field)) != name:
            continue
        index = _u32(model, index_field) if index_field is not None else 0
        (data_field, *_) = _table_fields(model, buffers[index], 1)
        data = _deref(model, data_field)
        if data is None:
            return b""
        return model[data + 4 : data + 4 + _u32(model, data)]
    return None


def _check_tflite(model: bytes) -> int:
    if len(model) < 8 or model[4:8] != _TFLITE_IDENTIFIER:
        raise TFLiteFormatError(
            f"expected a TFLite flatbuffer (identifier {_TFLITE_IDENTIFIER!r}), "
            f"got {bytes(model[4:8])!r}"
        )
    return _u32(model, 0)


# ---------------------------------------------------------------- writing


class _Prefix:
    """A little-endian byte area whose absolute positions are known."""

    def __init__(self) -> None:
        self.data = bytearray()

    def align(self, n: int, extra: int = 0) -> None:
        while (len(self.data) + extra) % n:
            self.data.append(0)

    def reserve(self, n: int) -> int:
        pos = len(self.data)
        self.data.extend(b"\0" * n)
        return pos

    def put_u32(self, pos: int, value: int) -> None:
        struct.pack_into("<I", self.data, pos, value)

    def put_offset(self, pos: int, target: int) -> None:
        if target <= pos:
            raise AssertionError("flatbuffer offsets must point forward")
        self.put_u32(pos, target - pos)


def _write_vtable(prefix: _Prefix, table_size: int, field_offsets: Sequence[int]) -> int:
    prefix.align(2)
    pos = prefix.reserve(4 + 2 * len(field_offsets))
    struct.pack_into(
        f"<HH{len(field_offsets)}H",
        prefix.data,
        pos,
        4 + 2 * len(field_offsets),
        table_size,
        *field_offsets,
    )
    return pos


def _write_table(prefix: _Prefix, vtable: int, n_slots: int) -> int:
    prefix.align(4)
    pos = prefix.reserve(4 + 4 * n_slots)
    struct.pack_into("<i", prefix.data, pos, pos - vtable)
    return pos


def _layout_prefix(old: bytes, metadata: bytes, name: str) -> tuple[_Prefix, list[tuple[int, int]]]:
    """Build the new root and vectors; return them and the deferred old offsets.

    The returned pairs ``(position_in_prefix, position_in_old)`` are offsets
    into the old flatbuffer that can only be filled in once the prefix length
    is final.
    """
    root = _check_tflite(old)
    fields = dict(zip(_MODEL_FIELDS, _table_fields(old, root, len(_MODEL_FIELDS)), strict=True))
    old_buffers = _vector_targets(old, _deref(old, fields["buffers"]))
    old_entries = [
        e
        for e in _vector_targets(old, _deref(old, fields["metadata"]))
        if _metadata_entry_name(old, e) != name
    ]
    deferred: list[tuple[int, int]] = []
    prefix = _Prefix()
    prefix.reserve(8)
    prefix.data[4:8] = _TFLITE_IDENTIFIER

    # A field absent from the old root stays absent (voffset 0): an offset
    # of 0 in a present field is invalid to the flatbuffers verifier.
    present = [
        key == "version" or key in ("buffers", "metadata") or fields[key] is not None
        for key in _MODEL_FIELDS
    ]
    model_vtable = _write_vtable(
        prefix, 4 + 4 * 8, [4 + 4 * i if p else 0 for i, p in enumerate(present)]
    )
    model = _write_table(prefix, model_vtable, 8)
    prefix.put_offset(0, model)
    version_field = fields["version"]
    prefix.put_u32(model + 4, _u32(old, version_field) if version_field is not None else 3)
    for slot, key in enumerate(_MODEL_FIELDS[1:], start=1):
        target = _deref(old, fields[key])
        if key not in ("buffers", "metadata") and target is not None:
            deferred.append((model + 4 + 4 * slot, target))

    buffers_vector = _write_offset_vector(prefix, len(old_buffers) + 1)
    prefix.put_offset(model + 4 + 4 * 4, buffers_vector)
    entries_vector = _write_offset_vector(prefix, len(old_entries) + 1)
    prefix.put_offset(model + 4 + 4 * 6, entries_vector)
    deferred += [(buffers_vector + 4 + 4 * i, b) for i, b in enumerate(old_buffers)]
    deferred += [(entries_vector + 4 + 4 * i, e) for i, e in enumerate(old_entries)]

    entry = _write_metadata_entry(prefix, name, buffer_index=len(old_buffers))
    prefix.put_offset(entries_vector + 4 + 4 * len(old_entries), entry)
    buffer = _write_buffer(prefix, metadata)
    prefix.put_offset(buffers_vector + 4 + 4 * len(old_buffers), buffer)
    prefix.align(_ALIGN)
    return prefix, deferred


def _write_offset_vector(prefix: _Prefix, n: int) -> int:
    prefix.align(4)
    pos = prefix.reserve(4 + 4 * n)
    prefix.put_u32(pos, n)
    return pos


def _write_metadata_entry(prefix: _Prefix, name: str, buffer_index: int) -> int:
    vtable = _write_vtable(prefix, 12, [4, 8])
    table = _write_table(prefix, vtable, 2)
    prefix.put_u32(table + 8, buffer_index)
    encoded = name.encode("utf-8")
    prefix.align(4)
    string = prefix.reserve(4 + len(encoded) + 1)
    prefix.put_u32(string, len(encoded))
    prefix.data[string + 4 : string + 4 + len(encoded)] = encoded
    prefix.put_offset(table + 4, string)
    return table


def _write_buffer(prefix: _Prefix, data: bytes) -> int:
    vtable = _write_vtable(prefix, 8, [4])
    table = _write_table(prefix, vtable, 1)
    prefix.align(_ALIGN, extra=4)  # the bytes after the length are 16-aligned
    vector = prefix.reserve(4 + len(data))
    prefix.put_u32(vector, len(data))
    prefix.data[vector + 4 : vector + 4 + len(data)] = data
    prefix.put_offset(table + 4, vector)
    return table


def attach_metadata(model: bytes, metadata: bytes, name: str = METADATA_NAME) -> bytes:
    """Return a copy of a TFLite model that carries ``metadata`` under ``name``.

    An existing entry of the same name is replaced (it stays in the file but
    is no longer referenced). Weights, operators and tensors are untouched.

    Parameters
    ----------
    model
        The bytes of a ``.tflite`` file.
    metadata
        The bytes to store, e.g. from :func:`build_image_model_metadata`.
    name
        Metadata entry name; MediaPipe looks for ``TFLITE_METADATA``.

    Returns
    -------
    bytes
        The new ``.tflite`` file contents.

    Raises
    ------
    TFLiteFormatError
        If ``model`` is not a TFLite flatbuffer.
    """
    prefix, deferred = _layout_prefix(model, metadata, name)
    shift = len(prefix.data)
    for pos, target in deferred:
        prefix.put_offset(pos, target + shift)
    return bytes(prefix.data) + bytes(model)
