"""``python -m runform`` and the ``runform`` command: the command line (see :mod:`runform.cli`).

This module is the console script's entry point, and it imports nothing
heavy on purpose. Pose extraction starts its worker processes with the
``spawn`` method, and a spawned child runs the parent's main script again
(as ``__mp_main__``) before it starts working: for the ``runform`` console
script that is ``from runform.__main__ import main``. Had the script
imported :mod:`runform.cli` (PyAV, xarray, pandas, rich and every command),
each worker would import all of it again only to throw it away.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line (:func:`runform.cli.main`); return the exit status."""
    from runform.cli import main as run_command_line

    return run_command_line(argv)


if __name__ == "__main__":
    sys.exit(main())
