"""pytest set-up shared by the unit tests and nbval.

nbval starts each notebook's kernel from this process, so the headless environment set here
(quiet TensorFlow, static widgets) is exactly the one ``make execute`` stores outputs with, and
self-checks run by the notebooks record progress in ``build/`` rather than the learner's file.

TensorFlow can still write C++ log lines to stderr before Python code runs; those lines are
not reproducible, so stderr is kept out of nbval's output comparison. A unit test checks
instead that the stored notebooks contain no stderr at all.
"""

import os
from pathlib import Path

import nbval.plugin

from coursekit.notebook_tools import headless_environment
from coursekit.session import SEED_OFFSET_VARIABLE

headless_environment()
# nbval compares the stored outputs, which were made at seed offset 0; other offsets are the job
# of `make claims` (coursekit.claims), which sets the variable in its own kernels.
os.environ.pop(SEED_OFFSET_VARIABLE, None)
os.environ["COURSEKIT_PROGRESS"] = str(Path(__file__).parent / "build" / "test-progress.json")

_transform_streams = nbval.plugin.transform_streams_for_comparison


def _without_stderr(outputs):
    kept = [
        output for output in outputs
        if not (output.get("output_type") == "stream" and output.get("name") == "stderr")
    ]
    return _transform_streams(kept)


nbval.plugin.transform_streams_for_comparison = _without_stderr
