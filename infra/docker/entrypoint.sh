#!/bin/sh
# Runs one Postmill process: `api` or `worker` (the image's command), anything else verbatim.
# exec: node becomes PID 1 and receives SIGTERM itself (both apps drain on it).
set -eu
case "${1:-}" in
  api | worker)
    app="$1"
    shift
    exec node --enable-source-maps "/app/$app/dist/main.js" "$@"
    ;;
  *)
    exec "$@"
    ;;
esac
