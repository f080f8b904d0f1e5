#!/usr/bin/env bash
# Re-resolve requirements/*.in into requirements/*.txt: every transitive version
# pinned, every file hashed. pip-tools runs from a throw-away venv so it never
# enters the book's own environment. book.txt first: test.txt is constrained by it.
set -euo pipefail
cd "$(dirname "$0")/../requirements"
tools=$(mktemp -d)
trap 'rm -rf "$tools"' EXIT
python3 -m venv "$tools"
"$tools/bin/pip" install --quiet --disable-pip-version-check pip-tools==7.6.2
# Extras stay in the locks (coverage[toml], not coverage): pip's hash-checking mode
# treats a dependency's "coverage[toml]>=x" as a new, unpinned requirement when the
# lock pins only "coverage", and fails as soon as a newer coverage is released.
for name in book test; do
  echo "resolving requirements/$name.in"
  "$tools/bin/pip-compile" --quiet --generate-hashes --allow-unsafe --no-strip-extras \
    --no-emit-index-url --no-emit-find-links --output-file "$name.txt" "$name.in"
done
