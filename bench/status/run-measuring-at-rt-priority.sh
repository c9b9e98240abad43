#!/usr/bin/env bash
# pnpm bench:status with its measuring phase at real-time priority, its fill at normal priority.
#
# Why: on a machine other work keeps busy, that work preempts the bench process (API, client and
# store calls) and its Redis mid-request, and the p99 figures measure the wait for a core. Once the
# fill has logged its last line, this sets the bench's processes (all threads) and the redis-server
# it spawned to round-robin real-time priority 1 (`chrt -a -r -p 1`, as bench:limiter's runs use
# `chrt -r 1`); the measuring phase then needs about one core. Needs the right to set real-time
# priority (root here). Usage: bench/status/run-measuring-at-rt-priority.sh [bench:status options]
set -euo pipefail
cd "$(dirname "$0")/../.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
pnpm --silent bench:status "$@" 2> >(tee "$log" >&2) &
bench=$!
until grep -q 'indexed \([0-9]*\)/\1 messages' "$log"; do
  kill -0 "$bench" 2>/dev/null || { wait "$bench"; exit $?; }
  sleep 1
done
# This bench's processes only (pnpm, tsx, node and the redis-server it spawned): the descendants of
# the pnpm started above, never another bench running on the machine.
descendants() {
  local child
  for child in $(pgrep -P "$1"); do
    echo "$child"
    descendants "$child"
  done
}
for pid in $(descendants "$bench"); do chrt -a -r -p 1 "$pid" >/dev/null; done
echo 'bench:status: measuring phase at real-time priority (chrt -r 1)' >&2
wait "$bench"
