# Shared set-up for the project's scripts: checks Node.js and installs the npm
# packages when they are missing or older than package-lock.json.

require_node() {
  if ! command -v node >/dev/null 2>&1; then
    echo "Node.js 20.19 or newer is required: install it from your package manager or https://nodejs.org" >&2
    exit 1
  fi
  if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
    echo "Node.js 20.19 or newer is required (found $(node --version))." >&2
    exit 1
  fi
}

ensure_npm_packages() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "Installing npm packages (npm ci)..."
    npm ci --no-audit --no-fund
  fi
}

# Whether the system package named is there (its program found). HAProxy
# lives in /usr/sbin, which is not on every user's PATH.
has_system_package() {
  case "$1" in
    chromium) [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] ;;
    haproxy) [ -x "${HAPROXY:-/usr/sbin/haproxy}" ] ;;
    *) command -v "$1" >/dev/null 2>&1 ;;
  esac
}

# Chromium (browser tests), redis-server and redis-sentinel (Redis and
# failover tests) and haproxy (the balancer of the cluster tests and of
# `npm run start:cluster`) come from the system's packages; the arguments
# name the ones needed, all of them by default. Missing ones are installed
# with apt-get when this user can (root, or sudo without a password);
# otherwise the script stops and says exactly what to install. Nothing is
# ever skipped.
ensure_system_packages() {
  local wanted=("$@")
  [ ${#wanted[@]} -gt 0 ] || wanted=(chromium redis-server redis-sentinel haproxy)
  local missing=() package
  for package in "${wanted[@]}"; do has_system_package "$package" || missing+=("$package"); done
  [ ${#missing[@]} -eq 0 ] && return 0

  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; else sudo="none"; fi
  fi
  if command -v apt-get >/dev/null 2>&1 && [ "$sudo" != "none" ]; then
    echo "Installing system packages: ${missing[*]} (apt-get)..."
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
    # Under CI=true a package that did not install fails the run here, not as a skipped test later.
    if [ "${CI:-}" = "true" ]; then
      for package in "${missing[@]}"; do
        [ "$package" = chromium ] && continue
        has_system_package "$package" || { echo "$package is still missing after apt-get" >&2; exit 1; }
      done
    fi
    return 0
  fi
  echo "These system packages are needed and missing: ${missing[*]}" >&2
  echo "Install them, for example on Debian or Ubuntu:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  echo "(or point CHROMIUM_PATH at another Chromium binary, HAPROXY at another haproxy), then run the command again." >&2
  exit 1
}
