"""``make lab``: open JupyterLab on a lesson, or print its URL on a machine with no browser."""

from __future__ import annotations

import os
import shutil
import sys
import webbrowser


def has_browser() -> bool:
    """True when a graphical browser can be opened from this session."""
    if os.environ.get("COURSEKIT_NO_BROWSER"):
        return False
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return False
    try:
        webbrowser.get()
    except webbrowser.Error:
        return False
    return True


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    notebook = args[0] if args else "notebooks/00_overfitting.ipynb"
    jupyter = shutil.which("jupyter", path=os.path.dirname(sys.executable)) or "jupyter"
    command = [jupyter, "lab", notebook]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI machines often run as root
    if not has_browser():
        command.append("--no-browser")
        print(
            "No browser found: JupyterLab is starting headless. Open the http://127.0.0.1 URL "
            "printed below (with its token) in a browser that can reach this machine.",
            flush=True,
        )
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
