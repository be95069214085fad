#!/bin/sh
# One-shot step of docker-compose.yml, run in the temporalio/admin-tools image (POSIX sh, busybox).
# Waits until the Temporal frontend answers `cluster health`, then makes sure the namespace Sapa uses
# exists: `describe` first, `create` only when it is missing, so a second `docker compose up` is a
# no-op. Bounded retries; on failure it says what it waited for and exits non-zero, which keeps
# gateway/worker/dashboard (they depend on this step completing successfully) from starting.
set -eu

ADDRESS=${TEMPORAL_ADDRESS:-temporal:7233}
NAMESPACE=${TEMPORAL_NAMESPACE:-default}
# Namespaces without an explicit retention get the server's default; closed conversations'
# histories are only needed for debugging and replay tests, so 72h is plenty.
RETENTION=${TEMPORAL_NAMESPACE_RETENTION:-72h}
MAX_ATTEMPTS=${MAX_ATTEMPTS:-60}
SLEEP_SECONDS=${SLEEP_SECONDS:-2}

# Ignore any temporal.toml profile and TEMPORAL_* env other than what we pass explicitly.
temporal_cli() { temporal "$@" --address "$ADDRESS" --disable-config-file; }

echo "create-namespace: waiting for Temporal at $ADDRESS (up to $MAX_ATTEMPTS attempts)"
attempt=1
until temporal_cli operator cluster health 2>/dev/null | grep -q SERVING; do
  if [ "$attempt" -ge "$MAX_ATTEMPTS" ]; then
    echo "create-namespace: FAILED: Temporal at $ADDRESS did not report SERVING after $MAX_ATTEMPTS attempts;" >&2
    echo "create-namespace: check 'docker compose logs temporal' (is the schema job done, is PostgreSQL up?)" >&2
    exit 1
  fi
  attempt=$((attempt + 1))
  sleep "$SLEEP_SECONDS"
done
echo "create-namespace: Temporal is serving"

if temporal_cli operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1; then
  echo "create-namespace: namespace '$NAMESPACE' already exists"
  exit 0
fi

# A fresh cluster can be healthy a moment before namespace operations work, so retry create too;
# "already exists" (another run won the race) counts as success.
attempt=1
while :; do
  if out=$(temporal_cli operator namespace create --namespace "$NAMESPACE" --retention "$RETENTION" 2>&1); then
    echo "create-namespace: created namespace '$NAMESPACE' (retention $RETENTION)"
    exit 0
  fi
  case "$out" in
    *"already"*"exist"* | *"AlreadyExists"*)
      echo "create-namespace: namespace '$NAMESPACE' already exists"
      exit 0
      ;;
  esac
  if [ "$attempt" -ge 10 ]; then
    echo "create-namespace: FAILED: could not create namespace '$NAMESPACE' after $attempt attempts:" >&2
    echo "$out" >&2
    exit 1
  fi
  attempt=$((attempt + 1))
  sleep "$SLEEP_SECONDS"
done
