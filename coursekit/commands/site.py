"""``coursekit site [--out DIR] [--notebooks DIR]``: the static course site (:mod:`coursekit.site`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from coursekit import course
from coursekit.commands._args import values_from_the_user


def run(args: argparse.Namespace) -> int:
    """Build the site, then check its internal links."""
    from coursekit.site import DEFAULT_OUT, broken_links, build_site

    out = DEFAULT_OUT if args.out is None else args.out
    # build_site's ValueErrors are all about its two folders, which come from the user.
    with values_from_the_user():
        pages = build_site(out, args.notebooks)
    problems = broken_links(out)
    for problem in problems:
        print(f"broken link: {problem}", file=sys.stderr)
    lessons = len(pages) - 2
    print(f"Wrote {len(pages)} pages to {out}: index.html, {lessons} lesson page(s), glossary.html.")
    print(f"Open {Path(out) / 'index.html'} in a browser; for the search box, serve the folder:")
    print(f"  python -m http.server --directory {out}")
    return 1 if problems else 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """``coursekit site [--out DIR] [--notebooks DIR]``."""
    site = subparsers.add_parser(
        "site",
        help="build the static course site (HTML) from the executed notebooks",
        description="Build a static HTML site from the executed lesson notebooks with nbconvert: "
        "an index with the lessons, their estimated times and objectives, one page per lesson "
        "with its outputs and figures, and a glossary page, linked by previous/next navigation. "
        "Exits with status 1 if an internal link is broken.",
    )
    site.add_argument(
        "--out", type=Path, default=None, metavar="DIR",
        help="folder to write (default: build/site in the repository)",
    )
    site.add_argument(
        "--notebooks", type=Path, default=course.NOTEBOOKS, metavar="DIR",
        help="folder of the lesson notebooks (default: notebooks/ in the repository)",
    )
    site.set_defaults(run=run)

