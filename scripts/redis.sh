#!/usr/bin/env bash
# Installs redis-server where it is missing (Debian's package), then, with "start", runs one on
# 127.0.0.1 only: `scripts/redis.sh start [PORT] [DIR]` (default 6379, .cqnnews/redis).
set -euo pipefail

source "$(dirname "$0")/apt.sh"

install() {
  apt_install redis-server redis-server
}

start() {
  local port="${1:-6379}" dir="${2:-.cqnnews/redis}"
  mkdir -p "$dir"
  if redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1; then
    echo "redis already answering on redis://127.0.0.1:$port/0"
    return 0
  fi
  # appendonly: in distributed mode the crawl state lives here and must survive a restart
  redis-server --bind 127.0.0.1 --port "$port" --dir "$(cd "$dir" && pwd)" --appendonly yes \
    --daemonize yes --logfile redis.log --pidfile "$(cd "$dir" && pwd)/redis.pid"
  for _ in $(seq 50); do
    redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1 && { echo "redis serving redis://127.0.0.1:$port/0"; return 0; }
    sleep 0.1
  done
  echo "redis-server did not start; see $dir/redis.log" >&2
  exit 1
}

case "${1:-install}" in
  install) install ;;
  start) install; shift; start "$@" ;;
  *) echo "usage: scripts/redis.sh [install|start [PORT] [DIR]]" >&2; exit 2 ;;
esac
