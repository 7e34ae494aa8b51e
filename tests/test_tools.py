"""Command-line helpers behind make: bench, execute, lab."""

import sys

import nbformat
from nbformat.v4 import new_output

from coursekit import bench, launch
from coursekit.notebook_tools import coalesce_streams


def test_bench_measures_time_memory_and_exit_code():
    figures = bench.measure([sys.executable, "-c", "x = bytearray(50 * 2**20); import sys; sys.exit(3)"])
    assert figures["returncode"] == 3
    assert figures["peak_mib"] >= 0 and figures["seconds"] >= 0


def test_bench_reports_the_last_error_line():
    figures = bench.measure([sys.executable, "-c", "raise ValueError('broken notebook')"])
    assert figures["error"] == "ValueError: broken notebook"


def test_coalesce_streams_merges_consecutive_pieces_of_one_stream():
    outputs = [
        new_output("stream", name="stdout", text="a\n"),
        new_output("stream", name="stdout", text="b\n"),
        new_output("display_data", data={"text/plain": "figure"}),
        new_output("stream", name="stdout", text="c\n"),
    ]
    merged = coalesce_streams([nbformat.from_dict(o) for o in outputs])
    assert [o.output_type for o in merged] == ["stream", "display_data", "stream"]
    assert merged[0].text == "a\nb\n"


def test_lab_runs_headless_without_a_display(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(launch.sys, "platform", "linux")
    assert launch.has_browser() is False


def test_lab_can_be_forced_headless(monkeypatch):
    monkeypatch.setenv("COURSEKIT_NO_BROWSER", "1")
    assert launch.has_browser() is False
