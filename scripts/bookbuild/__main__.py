"""The book's build steps without MkDocs.

    python -m scripts.bookbuild figures        re-run stale snippets, rebuild a stale
                                               kernels wheel (make figures)
    python -m scripts.bookbuild audit          list stale snippets and why; exit 1
    python -m scripts.bookbuild check-site DIR fail on raw book syntax in built HTML
    python -m scripts.bookbuild lint-claims [FILES]
                                               comparative sentences with no fact or
                                               claim behind them (a report)
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import BookError, claimslint, engine, sitecheck, wheel
from .workspace import REPO


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.bookbuild",
                                     description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    figures = sub.add_parser("figures", help="re-run the stale snippets")
    figures.add_argument("--all", action="store_true", help="re-run every snippet")
    sub.add_parser("audit", help="list stale snippets; exit 1 if any")
    site = sub.add_parser("check-site", help="check a built site's HTML")
    site.add_argument("site", type=Path)
    lint = sub.add_parser("lint-claims", help="comparative sentences without backing")
    lint.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "figures":
            # The wheel first: `audit` counts it, so `figures` must leave it current too.
            wheel.refresh(REPO, log=print)
            report = engine.refresh(REPO, force=args.all, log=print)
            print(f"snippets: {len(report.ran)} ran, {len(report.cached)} cached "
                  f"({report.seconds:.1f} s)")
        elif args.command == "audit":
            stale = engine.audit(REPO)
            for rel, why in sorted(stale.items()):
                print(f"{rel}: {why}")
            print(f"{len(stale)} stale" if stale else "every artefact is current")
            return 1 if stale else 0
        elif args.command == "check-site":
            sitecheck.require_clean(args.site)
            print(f"{args.site}: no raw book syntax")
        else:
            files = args.files or sorted((REPO / "docs").rglob("*.md"))
            found = claimslint.lint([f for f in files if f.name != "review.md"])
            print("\n".join(os.path.relpath(line) for line in found))
            print(f"{len(found)} comparative sentence(s) with no fact or claim "
                  "reference: back each with book.claim(), or leave it if it is a "
                  "definition rather than a measurement", file=sys.stderr)
    except BookError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
