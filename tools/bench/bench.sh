#!/usr/bin/env bash
# npm run bench -- <scenario|all> [options]: builds the server and the harness
# (Nx caches both), then runs the benchmark. Build output goes to stderr, so
# stdout holds only the tables and the closing JSON line.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/scripts/lib.sh

require_node
ensure_npm_packages >&2
npx nx run-many -t build --projects=server,bench --output-style=static >&2
exec node --expose-gc dist/tools/bench/main.js "$@"
