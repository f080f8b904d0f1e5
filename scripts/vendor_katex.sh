#!/usr/bin/env bash
# Re-vendor KaTeX into docs/assets/katex so the built site renders maths with no request
# to any other host. Run by hand when upgrading KaTeX; the build never calls it.
# Only woff2 fonts are shipped: every browser the book supports picks woff2 first.
set -euo pipefail
version="${1:-0.19.1}"
here="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "katex@$version" >/dev/null && tar xzf "katex-$version.tgz")
dest="$here/docs/assets/katex"
rm -rf "$dest" && mkdir -p "$dest/fonts"
cp "$tmp/package/dist/katex.min.js" "$tmp/package/dist/katex.min.css" "$dest/"
cp "$tmp/package/dist/contrib/auto-render.min.js" "$dest/"
cp "$tmp/package/dist/fonts/"*.woff2 "$dest/fonts/"
cp "$tmp/package/LICENSE" "$dest/LICENSE"
echo "KaTeX $version vendored into $dest"
