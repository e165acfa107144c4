"""``python -m runform``: the command line (see :mod:`runform.cli`)."""

import sys

from runform.cli import main

if __name__ == "__main__":
    sys.exit(main())
