#!/usr/bin/env bash
# Builds Presently and runs it as a cluster on one machine: redis-server (unless
# REDIS_URL names one), two server processes sharing presence through it, and a
# sticky load balancer on http://localhost:3000 (PORT overrides; the processes
# listen on PORT+1 and PORT+2).
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/scripts/lib.sh

require_node
ensure_npm_packages

npx nx run-many -t build --projects=server,demo --output-style=static
exec node tools/scripts/cluster.js
