"""Deciding between live widgets and static output.

Notebooks are stored executed and checked by nbval, so what a *headless* execution prints must
be stable text; a learner in JupyterLab should get live sliders and forms instead. Every
execution that coursekit drives (nbval through ``conftest.py``, ``make execute``, ``make bench``,
the grader) sets ``COURSEKIT_HEADLESS=1``; an interactive JupyterLab session does not.
"""

from __future__ import annotations

import os

HEADLESS_VARIABLE = "COURSEKIT_HEADLESS"


def interactive_frontend() -> bool:
    """Return True when widgets can be shown, i.e. inside IPython and not a headless run."""
    if os.environ.get(HEADLESS_VARIABLE, "") not in ("", "0"):
        return False
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell"
