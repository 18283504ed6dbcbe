#!/usr/bin/env bash
# Builds and starts Presently on http://localhost:3000 (PORT overrides), one
# process with in-memory presence and demo tokens on (DEMO_TOKENS=1), after
# installing what it needs.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/scripts/lib.sh

require_node
ensure_npm_packages

npx nx run-many -t build --projects=server,demo --output-style=static
echo "Presently: http://localhost:${PORT:-3000}"
# The demo's poll (apps/demo poll.page.ts) is declared, with any the caller declares.
export POLLS="demo:red-or-blue${POLLS:+,$POLLS}"
# The demo signs visitors in with demo tokens (POST /api/demo/token); a deployment never sets this.
export DEMO_TOKENS="${DEMO_TOKENS:-1}"
exec node dist/apps/server/main.js
