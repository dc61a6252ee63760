#!/usr/bin/env bash
# Installs llmwire's build and test dependencies on Debian 12 (scripts/debian-packages.txt),
# plus the npm peers the tests use (tests/node: @dwmkerr/mock-llm, openai, eventsource-parser).
# Uses sudo only when not already root, so it works in a bare container too.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $(cat scripts/debian-packages.txt) >/dev/null
# Node.js for the npm peers: use the machine's if it has one, else Debian's.
if ! command -v npm >/dev/null; then
  $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
if [ "${LLMWIRE_SKIP_NPM:-0}" != 1 ]; then
  (cd tests/node && npm ci --no-audit --no-fund --loglevel=error)
fi
