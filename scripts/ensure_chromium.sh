#!/usr/bin/env bash
# The browser tests drive Debian's chromium (Playwright's own browser download does
# not work offline). Install it when missing and we are root; otherwise explain.
set -euo pipefail
chromium="${BOOK_CHROMIUM:-/usr/bin/chromium}"
[ -x "$chromium" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests..."
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "The browser tests need chromium at $chromium." >&2
echo "Install it (sudo apt-get install chromium) or set BOOK_CHROMIUM to its path." >&2
exit 1
