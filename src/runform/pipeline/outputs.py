"""Output folders that never lose data: stage everything, then move it in by name.

Every command writes its files into a hidden stage folder inside the output
folder first (:func:`open_output`); only when all of them are complete are
they moved into place, one rename each, the report last. The rules:

* only the files this run wrote are created or replaced: nothing else in the
  output folder (a user's ``notes.txt``, ``plots/mine.png``, the files of
  another command) is deleted or changed;
* an output folder that is one of the run's inputs, or a file this run would
  write that is one of its inputs, is refused before anything is touched;
* a failed or interrupted run leaves the folder as it was: its stage is
  removed, and so is the output folder itself when this run created it and
  it is still empty; stages left by a killed process are removed by the next
  run into the same folder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from runform.errors import RunformError

__all__ = ["FINAL_FILES", "STAGE_PREFIX", "check_output_folder", "open_output"]

#: Files whose arrival marks a complete output folder: published last.
FINAL_FILES = frozenset({"report.html", "comparison.html", "progress.html", "index.html"})
#: Name prefix of a stage folder; the owning process id follows it.
STAGE_PREFIX = ".runform-partial-"


class OutputFolderError(RunformError):
    """The output folder cannot be used (a file, not writable, or one of the inputs)."""


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def check_output_folder(out: Path, inputs: Sequence[Path] = ()) -> None:
    """Fail before any work if ``out`` cannot be an output folder for these inputs.

    Raises
    ------
    OutputFolderError
        If ``out`` is an existing file, cannot be created or written, or is
        one of ``inputs`` (an analysis folder being compared, say).
    """
    if out.exists() and not out.is_dir():
        raise OutputFolderError(
            f"expected an output folder, got an existing file: {out}",
            hint="pass a folder path with -o; it is created if missing",
        )
    parent = next((p for p in (out, *out.parents) if p.exists()), Path())
    if not parent.is_dir():
        raise OutputFolderError(
            f"cannot create the output folder {out}: {parent} is a file",
            hint="pass a folder path with -o",
        )
    if not os.access(parent, os.W_OK):
        raise OutputFolderError(
            f"cannot write to {parent}", hint="choose an output folder you can write to"
        )
    for source in inputs:
        if source.is_dir() and _same(source, out):
            raise OutputFolderError(
                f"the output folder {out} is one of the inputs; writing there would "
                "replace what is read",
                hint="choose another output folder with -o",
            )


def _remove_dead_stages(out: Path) -> None:
    """Remove stage folders left in ``out`` by processes that no longer run."""
    for stage in out.glob(f"{STAGE_PREFIX}*"):
        pid_text = stage.name.removeprefix(STAGE_PREFIX).split("-", 1)[0]
        if not pid_text.isdigit() or int(pid_text) == os.getpid():
            continue
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            shutil.rmtree(stage, ignore_errors=True)
        except OSError:  # alive, owned by someone else
            continue


def _refuse_overwriting_inputs(stage: Path, out: Path, inputs: Sequence[Path]) -> None:
    files = [p for p in inputs if p.is_file()]
    for made in stage.rglob("*"):
        target = out / made.relative_to(stage)
        for source in files:
            if made.is_file() and _same(target, source):
                raise OutputFolderError(
                    f"this run would replace its own input {source}",
                    hint="choose another output folder with -o",
                )


def _publish(stage: Path, out: Path) -> list[Path]:
    """Move every staged file to the same place in ``out``, the reports last."""
    files = sorted(p for p in stage.rglob("*") if p.is_file() or p.is_symlink())
    files.sort(key=lambda p: p.name in FINAL_FILES and p.parent == stage)
    published = []
    for source in files:
        target = out / source.relative_to(stage)
        if target.is_dir() and not target.is_symlink():
            raise OutputFolderError(
                f"cannot write {target}: a folder of that name is in the way",
                hint="move it, or choose another output folder",
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        source.replace(target)
        published.append(target)
    return published


class Output:
    """A stage folder to write into, and what was published from it.

    Attributes
    ----------
    folder
        The output folder.
    stage
        Where to write; its contents move into ``folder`` at the end.
    published
        The paths written in ``folder`` (filled when the block ends).
    stale
        Files a run of this kind may write that are in ``folder`` from an
        earlier run and were not replaced by this one (left as they are).
    """

    def __init__(self, folder: Path, stage: Path) -> None:
        self.folder = folder
        self.stage = stage
        self.published: list[Path] = []
        self.stale: list[Path] = []

    def describe_stale(self) -> list[str]:
        """One warning per stale file, saying it was left as it was."""
        return [
            f"{path} is from an earlier run and does not belong to this one; it was left as it is"
            for path in self.stale
        ]


@contextlib.contextmanager
def open_output(
    out: Path, inputs: Sequence[Path] = (), companions: Sequence[str] = ()
) -> Iterator[Output]:
    """Yield an :class:`Output` whose stage is published into ``out`` when the block ends.

    Parameters
    ----------
    out
        The output folder (created if missing).
    inputs
        Files and folders the run reads: none of them may be written over.
    companions
        Names (relative to ``out``) a run of this kind sometimes writes; those
        found from an earlier run and not written now are listed in
        :attr:`Output.stale`.

    Raises
    ------
    OutputFolderError
        See :func:`check_output_folder`; also when a staged file would
        replace an input (then nothing in ``out`` was changed).
    """
    check_output_folder(out, inputs)
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    _remove_dead_stages(out)
    stage = Path(tempfile.mkdtemp(prefix=f"{STAGE_PREFIX}{os.getpid()}-", dir=out))
    output = Output(out, stage)
    try:
        yield output
        _refuse_overwriting_inputs(stage, out, inputs)
        output.published = _publish(stage, out)
        written = set(output.published)
        output.stale = [
            out / name
            for name in companions
            if (out / name).exists()
            and out / name not in written
            and not any(_same(out / name, source) for source in inputs)
        ]
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        if created and not output.published:
            with contextlib.suppress(OSError):
                out.rmdir()  # only when empty: ours, and nothing else arrived
