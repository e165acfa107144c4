"""Exception types raised by runform for problems with user input.

Every error that a user can cause (a missing file, a file that is not a video,
a model that cannot be provisioned, a clip with no runner in it) is a
:class:`RunformError`. The command line turns these into a one-line message
and a non-zero exit status instead of a traceback.
"""

from __future__ import annotations


class RunformError(Exception):
    """Base class for errors caused by the input, the environment or the user.

    Parameters
    ----------
    message
        What went wrong, naming what was expected and what was received.
    hint
        Optional advice on how to fix it, shown on its own line by the CLI.
    """

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\nhint: {self.hint}"
        return self.message


class InputFileError(RunformError):
    """An input file is missing, unreadable or of the wrong kind."""


class PoseFormatError(InputFileError):
    """A poses file from another tool (``.trc``, DeepLabCut, movement) is malformed.

    The message names the file, the line or field at fault, and what the
    format expects there.
    """


class VideoDecodeError(InputFileError):
    """A file could be opened but holds no decodable video frames."""


class ModelUnavailableError(RunformError):
    """No pose model could be found, downloaded or built."""

    exit_code = 3


class NoPersonDetectedError(RunformError):
    """Pose estimation ran but found nobody in the whole clip."""

    exit_code = 4
