#!/usr/bin/env bash
# The package as a consumer gets it: `npm pack` on this tree (which must build dist/ by
# itself, through `prepare`), the tarball installed into an empty project, every entry
# imported in ESM and in CJS, the example-based store contract run without fast-check,
# and a strict consumer type-checked with node16 and with bundler module resolution.
#   bash scripts/check-install.sh          # what .ci/run runs
#   bash scripts/check-install.sh --git    # also: install from a git URL (this repository's HEAD)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# 1. npm pack from a tree without dist/: prepare must build it.
rm -rf dist
tarball="$(npm pack --silent --pack-destination "$work" | tail -n 1)"
echo "packed: $tarball"
tar -tzf "$work/$tarball" | sed 's|^package/||' | sort > "$work/files.txt"
for f in LICENSE README.md CHANGELOG.md package.json dist/index.js dist/index.cjs dist/index.d.ts dist/index.d.cts \
  dist/memory.js dist/memory.cjs dist/postgres.js dist/postgres.cjs dist/testing.js dist/testing.cjs; do
  grep -qx "$f" "$work/files.txt" || { echo "missing from the tarball: $f"; cat "$work/files.txt"; exit 1; }
done
if grep -q '\.map$' "$work/files.txt"; then echo "the tarball ships source maps"; exit 1; fi
echo "tarball: $(wc -l < "$work/files.txt") files, dist/ included, no source maps"

# 2. An empty project: the tarball, and what a host adds for habilitations/postgres
# (pg and its types) and for TypeScript (Node's types). Never fast-check: the testing entry
# must load without it.
version() { node -p "require('$root/package.json').devDependencies['$1']"; }
app="$work/consumer"
cp -r scripts/consumer "$app"
(cd "$app" && npm install --silent --no-audit --no-fund --prefer-offline \
  "$work/$tarball" "pg@$(version pg)" "@types/pg@$(version @types/pg)" "@types/node@$(version @types/node)")
test ! -e "$app/node_modules/fast-check" || { echo "fast-check was installed into the consumer"; exit 1; }

# 3. Every entry, in ESM and in CJS; the store contract without fast-check.
(cd "$app" && node esm.mjs && node cjs.cjs && node --test --test-reporter=dot contract.test.mjs)

# 4. A strict consumer, with both module resolutions a host may use.
tsc="$root/node_modules/.bin/tsc"
(cd "$app" && "$tsc" -p tsconfig.node16.json && "$tsc" -p tsconfig.bundler.json)
echo "types: strict consumer compiles with node16 and bundler resolution"

# 5. Optionally, a git install: npm clones the repository, installs its dev dependencies,
# runs prepare (the build) and installs what it packs.
if [[ "${1:-}" == "--git" ]]; then
  gitapp="$work/git-consumer"
  mkdir -p "$gitapp" && cp scripts/consumer/package.json scripts/consumer/esm.mjs scripts/consumer/cjs.cjs "$gitapp"
  (cd "$gitapp" && npm install --silent --no-audit --no-fund --prefer-offline "git+file://$root" \
    "pg@$(version pg)" && node esm.mjs && node cjs.cjs)
  echo "git install: ok"
fi
echo "install check: ok"
