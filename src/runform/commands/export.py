"""``runform export``: an analysis or poses to OpenSim, Sports2D, movement and spreadsheets."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console

from runform.commands.common import positive_float, print_warnings


def _formats(text: str) -> tuple[str, ...]:
    """Parse ``--formats trc,mot`` (argparse type)."""
    from runform.interop.export import FORMATS

    chosen = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"expected formats from {', '.join(FORMATS)}, separated by commas; got {text!r}"
        )
    return chosen


def run_export(args: argparse.Namespace, console: Console) -> int:
    """Run ``runform export`` (see :func:`add_export_parser`)."""
    from runform.commands.common import default_output
    from runform.interop.export import ExportOptions, export

    source = Path(args.source)
    out = args.output or (source if source.is_dir() else default_output(source, "export"))
    options = ExportOptions(formats=args.formats, poses=args.poses, px_axes=args.px_axes,
                            height_cm=args.height_cm, name=args.name)  # fmt: skip
    result = export(source, Path(out), options)
    print_warnings(result.skipped)
    if not args.quiet:
        for path in result.written:
            console.print(f"[dim]wrote {path}[/dim]")
    return 0


def add_export_parser(sub: Any) -> None:
    """Register ``runform export`` on the sub-command parsers."""
    from runform.interop.export import FORMATS, PX_AXES

    export = sub.add_parser(
        "export",
        help="write an analysis or poses as .trc/.mot (OpenSim, Sports2D), a DeepLabCut CSV "
        "(movement) and per-stride CSVs",
    )
    export.add_argument("source", type=Path, help="an analysis folder, or a poses file")
    export.add_argument("-o", "--output", type=Path,
                        help="output folder (default: the analysis folder; <poses>-export "
                        "for a poses file)")  # fmt: skip
    export.add_argument("--formats", type=_formats, default=None,
                        help=f"comma-separated, of {','.join(FORMATS)} (default: all the "
                        "source can give)")  # fmt: skip
    export.add_argument("--poses", type=Path,
                        help="the poses file an analysis folder was made from (a folder "
                        "analysed from a poses file has no poses.nc)")  # fmt: skip
    export.add_argument("--px-axes", choices=PX_AXES, default="image",
                        help="axes of the pixel .trc: image (y down, as Sports2D's own "
                        "_px.trc; default) or y-up")  # fmt: skip
    export.add_argument("--height-cm", type=positive_float,
                        help="runner's height for the metres .trc of a poses file")  # fmt: skip
    export.add_argument("--name", help="stem of the files written (default: the video's)")
    export.add_argument("--quiet", action="store_true", help="print nothing on success")
    export.set_defaults(handler=run_export)
