#!/usr/bin/env python3
"""Write Redoc's standalone bundle with its one remote image made local, so /docs works offline.

usage: redoc-offline.py REDOC_BUNDLE OUTPUT

Redoc's sidebar footer shows a logo fetched from its CDN: offline, or under the docs page's
Content-Security-Policy (img-src 'self' data:), that is a broken image and a console error. The
logo's URL is replaced by an empty SVG data: URI. Fails when the URL is not in the bundle exactly
once, so a Redoc upgrade that moves it is noticed at build time.
"""
import sys

REMOTE_LOGO = b'"https://cdn.redoc.ly/redoc/logo-mini.svg"'
EMPTY_SVG = b'"data:image/svg+xml,%3Csvg xmlns=%27http://www.w3.org/2000/svg%27/%3E"'


def main() -> None:
    source, output = sys.argv[1], sys.argv[2]
    with open(source, "rb") as f:
        data = f.read()
    found = data.count(REMOTE_LOGO)
    if found != 1:
        sys.exit(f"redoc-offline: {source} has the logo URL {found} times, expected once")
    with open(output, "wb") as f:
        f.write(data.replace(REMOTE_LOGO, EMPTY_SVG))


if __name__ == "__main__":
    main()
