"""The instructor's batch grader and the solutions edition.

* :mod:`coursekit.grading.grader`: ``coursekit grade``; judging and the gradebook (trusted).
* :mod:`coursekit.grading.runner`: one sandboxed child per submission, with resource limits.
* :mod:`coursekit.grading.sandbox`: the child itself (runs learner code).
* :mod:`coursekit.grading.extract`: which notebook statements the child executes.
* :mod:`coursekit.grading.protocol`: plain data (JSON + ``.npz``, never pickle) across the boundary.
* :mod:`coursekit.grading.editions`: ``coursekit solutions``, the instructor edition.
* :mod:`coursekit.grading.bench`: ``make bench-grade``, throughput on a generated class.
"""
