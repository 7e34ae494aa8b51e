"""The instructor's batch grader and the solutions edition.

* :mod:`coursekit.grading.grader`: ``coursekit grade``: the canary, then the class (trusted).
* :mod:`coursekit.grading.assignment`: which notebooks, which lesson, the cases and the expected outputs.
* :mod:`coursekit.grading.judge`: the verdict and the points from a child's report (trusted).
* :mod:`coursekit.grading.reports`: gradebook, details, feedback and summary, with untrusted text made inert.
* :mod:`coursekit.grading.runner`: one sandboxed child per submission; time limits from outside.
* :mod:`coursekit.grading.isolation`: bubblewrap namespaces and one cgroup budget per sandbox.
* :mod:`coursekit.grading.sandbox`: the child itself (runs learner code).
* :mod:`coursekit.grading.extract`: which notebook statements the child executes.
* :mod:`coursekit.grading.protocol`: the wire format: plain data (JSON + ``.npz``, never pickle).
* :mod:`coursekit.grading.editions`: ``coursekit solutions``, the instructor edition.
* :mod:`coursekit.grading.bench`: ``make bench-grade``, throughput on a generated class.
"""
