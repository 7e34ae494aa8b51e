"""Solutions of the exercises, one module per lesson (``lesson00``, ``lesson01``, ...).

Each module defines functions with the same names and signatures as the exercise stubs in
``notebooks/``. ``coursekit solutions OUTDIR`` (:mod:`coursekit.grading.editions`) pastes their
source over the stubs to make the instructor edition, so each function must be self-contained:
it may use ``np`` (every lesson notebook imports numpy as np) and built-ins, nothing else.
These are not imported by the course itself; learners never see them in the student edition.
"""
