#!/usr/bin/env bash
# Makes `docker compose` work on a machine that has the docker CLI but not the Compose plugin,
# so the tests can validate docker-compose.yml with `docker compose config` (no Docker engine is
# needed for that). Builds Docker Compose from the Go module proxy once, caches the binary outside
# git and links it in as the CLI plugin. Idempotent; prints nothing when there is nothing to do.
#
# Why not `go install github.com/docker/compose/v5/cmd@VERSION`: every Compose release's go.mod has
# `exclude` directives, and `go install pkg@version` refuses such modules. So we download the module
# and `go build` inside it, where it is the main module and its go.mod applies as written.
#
# Why these versions: v5.7.0 needs Go >= 1.26.10 and v5.6.0 needs a secret-detector pseudo-version
# that the module proxy does not serve; v5.5.1 (Go >= 1.26.3) builds. v2.40.3 (Go >= 1.24.9) is the
# fallback for an older Go. GOTOOLCHAIN=local: never download a Go toolchain, fail clearly instead.
set -euo pipefail

CANDIDATES=(
  "github.com/docker/compose/v5 v5.5.1"
  "github.com/docker/compose/v2 v2.40.3"
)

if docker compose version >/dev/null 2>&1; then
  exit 0
fi

if ! command -v docker >/dev/null 2>&1; then
  echo "ensure-compose: the docker CLI is not on PATH; Compose is installed as its plugin, so install the docker client first" >&2
  exit 1
fi

GO=$(command -v go || true)
if [[ -z "$GO" && -x /usr/local/go/bin/go ]]; then GO=/usr/local/go/bin/go; fi
if [[ -z "$GO" ]]; then
  echo "ensure-compose: 'docker compose' is missing and there is no Go to build it with (need Go >= 1.24.9)" >&2
  exit 1
fi
export GOTOOLCHAIN=local CGO_ENABLED=0

CACHE_BIN="${SAPA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/sapa}/bin"
PLUGIN_DIR="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"

install_plugin() {
  mkdir -p "$PLUGIN_DIR"
  ln -sfn "$1" "$PLUGIN_DIR/docker-compose"
}

build() { # module version -> prints the binary path on success
  local module=$1 version=$2
  local out="$CACHE_BIN/compose-$version/docker-compose"
  if [[ -x "$out" ]]; then
    echo "$out"
    return 0
  fi
  echo "ensure-compose: building Docker Compose $version from $module (once; takes a few minutes on 2 cores)…" >&2
  local dir
  # -json prints the module's directory in the module cache; .Error is set when it cannot be had.
  dir=$(cd /tmp && "$GO" mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p') || return 1
  [[ -n "$dir" && -d "$dir/cmd" ]] || return 1
  mkdir -p "$(dirname "$out")"
  # Build to a temporary name and rename, so an interrupted build never leaves a broken binary.
  (cd "$dir" && "$GO" build -trimpath -buildvcs=false \
    -ldflags "-s -w -X $module/internal.Version=$version" \
    -o "$out.tmp" ./cmd) >&2 || { rm -f "$out.tmp"; return 1; }
  mv -f "$out.tmp" "$out"
  echo "$out"
}

for candidate in "${CANDIDATES[@]}"; do
  read -r module version <<<"$candidate"
  if bin=$(build "$module" "$version"); then
    install_plugin "$bin"
    if docker compose version >/dev/null 2>&1; then
      echo "ensure-compose: installed $(docker compose version) as $PLUGIN_DIR/docker-compose" >&2
      exit 0
    fi
    echo "ensure-compose: built $bin but 'docker compose version' still fails" >&2
  else
    echo "ensure-compose: could not build Docker Compose $version; trying the next version" >&2
  fi
done

echo "ensure-compose: could not provide 'docker compose' (tried: ${CANDIDATES[*]})" >&2
exit 1
