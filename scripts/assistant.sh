#!/usr/bin/env bash
# The Rasa assistant: its Python 3.10 environment, training, checks and servers.
#   scripts/assistant.sh install    create assistant/.venv from assistant/requirements.lock (if changed)
#   scripts/assistant.sh train      train the model (skipped when nothing changed since the last one)
#   scripts/assistant.sh check      data validation, action unit tests, conversation tests, NLU held-out eval
#   scripts/assistant.sh run        the Rasa server on 127.0.0.1:${ASSISTANT_PORT:-5005}
#   scripts/assistant.sh actions    the action server on 127.0.0.1:${ASSISTANT_ACTIONS_PORT:-5055}
#   scripts/assistant.sh lock       re-resolve requirements.in into requirements.lock
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
project="$root/assistant"
venv="$project/.venv"
state="$root/var/assistant"
uv="$(command -v uv 2>/dev/null || echo "$root/.tools/bin/uv")"
mkdir -p "$state/tmp" "$state/home"
home_orig="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"

# Rasa stays offline and quiet, and keeps its temporary files (jieba's cache, CRF files) and its
# home (~/.config/rasa) to itself; uv keeps the user's own home (its config, a PyPI mirror, its cache).
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1
export TMPDIR="$state/tmp" PYTHONHASHSEED=0 PYTHONUNBUFFERED=1
in_rasa_home() { HOME="$state/home" PYTHONWARNINGS=ignore "$@"; }
export ASSISTANT_PORT="${ASSISTANT_PORT:-5005}" ASSISTANT_ACTIONS_PORT="${ASSISTANT_ACTIONS_PORT:-5055}"
export ASSISTANT_ACTIONS_URL="${ASSISTANT_ACTIONS_URL:-http://127.0.0.1:$ASSISTANT_ACTIONS_PORT/webhook}"
export ASSISTANT_GRAPHQL_URL="${ASSISTANT_GRAPHQL_URL:-http://127.0.0.1:${WEB_PORT:-8000}/graphql}"

python310() {
  # Rasa 3.6 needs Python 3.10: $ASSISTANT_PYTHON, one on PATH, pyenv's, or one uv installs.
  local candidate
  for candidate in "${ASSISTANT_PYTHON:-}" "$(command -v python3.10 || true)" \
      "${PYENV_ROOT:-$home_orig/.pyenv}"/versions/3.10.*/bin/python3.10; do
    # (a pyenv shim is on PATH even when no 3.10 is selected: it must actually run)
    if [ -n "$candidate" ] && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
      echo "$candidate"; return
    fi
  done
  "$uv" python install 3.10 >&2 && "$uv" python find 3.10
}

install() {
  local marker="$venv/.installed"
  # `make run` starts the Rasa server and the action server together: one installs, the other waits.
  exec 9>"$state/install.lock"
  flock 9
  if [ -f "$marker" ] && [ "$marker" -nt "$project/requirements.lock" ]; then flock -u 9; return; fi
  local python; python="$(python310)"
  echo "assistant: installing Rasa into assistant/.venv with $python (a few minutes the first time)"
  rm -rf "$venv"
  "$uv" venv --quiet --python "$python" "$venv"
  "$uv" pip install --quiet --python "$venv/bin/python" --no-deps --require-hashes -r "$project/requirements.lock"
  touch "$marker"
  flock -u 9
}

# Rasa's dependencies print pages of deprecation warnings on every start: not ours to fix.
rasa() { (cd "$project" && in_rasa_home "$venv/bin/rasa" "$@"); }

fingerprint() {
  (cd "$project" && { cat config.yml domain.yml requirements.lock; find data -type f -print0 | sort -z | xargs -0 cat; } \
    | sha256sum | cut -d' ' -f1)
}

train() {
  install
  # Trained again only when the training data, the pipeline or the environment changed.
  local want; want="$(fingerprint)"
  if [ -f "$project/models/assistant.tar.gz" ] && [ "$(cat "$project/models/fingerprint" 2>/dev/null)" = "$want" ]; then
    return
  fi
  echo "assistant: training the model (about 20 s)"
  rasa train --fixed-model-name assistant --out models --quiet
  echo "$want" > "$project/models/fingerprint"
}

check() {
  install
  rasa data validate --fail-on-warnings --quiet
  (cd "$project" && HOME="$state/home" "$venv/bin/python" -m pytest -q -p no:cacheprovider tests)
  train
  rasa test core --model models/assistant.tar.gz --stories tests/test_stories.yml \
    --fail-on-prediction-errors --out "$state/results/core" --quiet
  rasa test nlu --model models/assistant.tar.gz --nlu tests/nlu_holdout.yml --out "$state/results/nlu" \
    --quiet --no-plot
  "$venv/bin/python" "$project/tests/nlu_report.py" "$state/results/nlu/intent_report.json"
}

endpoints() {
  # Conversations in Redis when one is configured (a redis:// URL); in memory otherwise (`make run`'s
  # embedded Redis listens on a unix socket, which Rasa's tracker store cannot use).
  local url="${ASSISTANT_REDIS_URL:-${ONEWINDOW_REDIS_URL:-}}"
  endpoints_file=endpoints.yml
  case "$url" in
    redis://*)
      eval "$("$venv/bin/python" - "$url" <<'PY'
import shlex, sys
from urllib.parse import unquote, urlsplit
u = urlsplit(sys.argv[1])
db = (u.path or "/0").strip("/") or "0"
values = {"HOST": u.hostname or "127.0.0.1", "PORT": str(u.port or 6379), "DB": db,
          "PASSWORD": unquote(u.password or "")}
print(" ".join(f"export ASSISTANT_REDIS_{k}={shlex.quote(v)}" for k, v in values.items()))
PY
)"
      endpoints_file=endpoints.redis.yml ;;
  esac
}

case "${1:-}" in
  install) install ;;
  train) train ;;
  check) check ;;
  # No --enable-api: only the REST channel is served (the HTTP API would expose every tracker).
  run) train; endpoints; cd "$project" && HOME="$state/home" PYTHONWARNINGS=ignore exec "$venv/bin/rasa" run \
         -i 127.0.0.1 -p "$ASSISTANT_PORT" -m models/assistant.tar.gz --credentials credentials.yml \
         --endpoints "$endpoints_file" ;;
  actions) install; cd "$project" && HOME="$state/home" SANIC_HOST=127.0.0.1 PYTHONWARNINGS=ignore exec "$venv/bin/python" -m rasa_sdk \
         --actions actions -p "$ASSISTANT_ACTIONS_PORT" ;;
  lock)
    python="$(python310)"; tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
    "$uv" venv --quiet --python "$python" "$tmp/venv"
    "$uv" pip compile --quiet --generate-hashes --python "$tmp/venv/bin/python" --python-version 3.10 \
      "$project/requirements.in" -o "$project/requirements.lock" ;;
  *) sed -n '2,9p' "$0"; exit 2 ;;
esac
