#!/usr/bin/env bash
# loadtest.sh [N] — intake throughput and IDLE latency against the real servers.
# Run it as `make loadtest N=2000` (which starts and stops the servers), or by
# hand with the servers up: `source DIR/env; scripts/loadtest.sh 2000`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ -x bin/otvet ] || CGO_ENABLED=0 go build -o bin/otvet ./cmd/otvet
go run ./scripts/loadtest -n "${1:-2000}" -otvet bin/otvet
