import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runform.pose.tflite_metadata import (
    METADATA_NAME,
    ImageModelSpec,
    TFLiteFormatError,
    attach_metadata,
    build_image_model_metadata,
    read_metadata_buffer,
    read_metadata_names,
)

from .tflite_fixtures import build_fake_tflite, load_mediapipe_schema

SPEC = ImageModelSpec(
    name="demo",
    description="a test model",
    input_width=224,
    input_height=160,
    mean=(127.5,),
    std=(127.5,),
    output_names=("boxes", "scores"),
)


def test_metadata_is_readable_by_reference_schema():
    ref = load_mediapipe_schema("metadata_schema_py_generated")
    data = build_image_model_metadata(SPEC)
    assert data[4:8] == b"M001"
    meta = ref.ModelMetadata.GetRootAsModelMetadata(data, 0)
    assert meta.Name() == b"demo"
    assert meta.MinParserVersion() == b"1.0.0"
    subgraph = meta.SubgraphMetadata(0)
    assert subgraph.InputTensorMetadataLength() == 1
    assert [subgraph.OutputTensorMetadata(i).Name() for i in range(2)] == [
        b"boxes",
        b"scores",
    ]
    tensor = subgraph.InputTensorMetadata(0)
    content = tensor.Content()
    assert content.ContentPropertiesType() == ref.ContentProperties.ImageProperties
    props = ref.ImageProperties()
    props.Init(content.ContentProperties().Bytes, content.ContentProperties().Pos)
    assert props.ColorSpace() == ref.ColorSpaceType.RGB
    assert (props.DefaultSize().Width(), props.DefaultSize().Height()) == (224, 160)
    unit = tensor.ProcessUnits(0)
    assert unit.OptionsType() == ref.ProcessUnitOptions.NormalizationOptions
    norm = ref.NormalizationOptions()
    norm.Init(unit.Options().Bytes, unit.Options().Pos)
    assert list(norm.MeanAsNumpy()) == [127.5]
    assert list(norm.StdAsNumpy()) == [127.5]


@pytest.mark.parametrize(
    ("mean", "std", "match"),
    [
        ((), (), "non-empty"),
        ((0.0,), (0.0,), "positive"),
        ((0.0, 1.0), (1.0,), "equal"),
    ],
)
def test_metadata_rejects_bad_normalisation(mean, std, match):
    spec = ImageModelSpec("x", "y", 1, 1, mean, std, ())
    with pytest.raises(ValueError, match=match):
        build_image_model_metadata(spec)


def test_attach_preserves_model_and_adds_entry():
    ref = load_mediapipe_schema("schema_py_generated")
    old = build_fake_tflite([b"", b"\x01\x02\x03"], [("min_runtime_version", 1)])
    meta = build_image_model_metadata(SPEC)
    new = attach_metadata(old, meta)
    model = ref.Model.GetRootAsModel(new, 0)
    assert model.Version() == 3
    assert model.Description() == b"test"
    assert model.BuffersLength() == 3
    assert bytes(model.Buffers(1).DataAsNumpy()) == b"\x01\x02\x03"
    assert read_metadata_names(new) == ["min_runtime_version", METADATA_NAME]
    assert read_metadata_buffer(new) == meta
    assert read_metadata_buffer(new, "min_runtime_version") == b"\x01\x02\x03"
    assert new.endswith(old)
    assert (len(new) - len(old)) % 16 == 0


def test_attach_replaces_existing_metadata():
    old = build_fake_tflite([b"", b"stale"], [(METADATA_NAME, 1)])
    new = attach_metadata(attach_metadata(old, b"first"), b"second")
    assert read_metadata_names(new) == [METADATA_NAME]
    assert read_metadata_buffer(new) == b"second"


def test_attach_rejects_non_tflite():
    with pytest.raises(TFLiteFormatError, match="TFL3"):
        attach_metadata(b"\x00" * 64, b"meta")


@settings(max_examples=40, deadline=None)
@given(
    buffers=st.lists(st.binary(max_size=40), min_size=1, max_size=6),
    names=st.lists(st.text("abcdefgh_", min_size=1, max_size=12), max_size=4, unique=True),
    payload=st.binary(min_size=1, max_size=300),
)
def test_attach_round_trip_property(buffers, names, payload):
    entries = [(n, i % len(buffers)) for i, n in enumerate(names) if n != METADATA_NAME]
    old = build_fake_tflite(buffers, entries)
    new = attach_metadata(old, payload)
    assert read_metadata_buffer(new) == payload
    assert read_metadata_names(new) == [n for n, _ in entries] + [METADATA_NAME]
    for name, index in entries:
        assert read_metadata_buffer(new, name) == buffers[index]
    # the metadata bytes start 16-byte aligned, as the schema's force_align asks
    ref = load_mediapipe_schema("schema_py_generated")
    table = ref.Model.GetRootAsModel(new, 0).Buffers(len(buffers))._tab
    start = table.Vector(table.Offset(4))
    assert struct.unpack_from("<I", new, start - 4)[0] == len(payload)
    assert new[start : start + len(payload)] == payload
    assert start % 16 == 0
