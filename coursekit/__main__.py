"""``python -m coursekit``: the same command line as ``coursekit``."""

import sys

from coursekit.cli import main

sys.exit(main())
