#!/usr/bin/env bash
# Install uv from PyPI into a private virtual environment ($1), for machines that have no uv.
set -euo pipefail
target=${1:?target folder}
python=${PYTHON:-python3}
if ! "$python" -m venv "$target" 2>/dev/null; then
  # Debian's system Python keeps venv in a separate package.
  if command -v apt-get >/dev/null; then
    sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq python3-venv
  fi
  rm -rf "$target"
  "$python" -m venv "$target"
fi
"$target/bin/python" -m pip install --quiet --disable-pip-version-check uv
"$target/bin/uv" --version
