"""Warnings about how a video was read, made from the facts kept with its poses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def describe_read_problems(attrs: Mapping[str, Any], video_name: str) -> tuple[str, ...]:
    """Return the warnings about reading ``video_name`` (a truncated file), naming it."""
    stored = attrs.get("truncated")
    if not stored:
        return ()
    text = str(stored)
    original = text.split(" ends early", 1)[0]
    return (text.replace(original, video_name, 1),)
