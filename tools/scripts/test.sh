#!/usr/bin/env bash
# Type-checks and lints every project and runs every test of the workspace
# (unit, integration and end-to-end), after installing what they need where it
# is missing. Extra arguments go to Nx.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/scripts/lib.sh

require_node
ensure_npm_packages
ensure_system_packages

rm -rf tmp/test-summary
status=0
npx nx run-many -t typecheck lint test --skip-nx-cache --output-style=static "$@" || status=$?
node tools/scripts/test-summary.js || true
exit "$status"
