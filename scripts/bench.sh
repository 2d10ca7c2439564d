#!/usr/bin/env bash
# Runs every `faas bench` scenario against a dev-mode platform and against a two-silo cluster (redis-server,
# two silos, one gateway), all on 127.0.0.1 ports of this machine, and writes one JSON file per run into
# OUT_DIR (default bench-results/). Every process it starts is stopped by its pid at the end.
# Usage: scripts/bench.sh [OUT_DIR]      (build first: dotnet build OrleansFaas.sln -c Release)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out="${1:-bench-results}"
mkdir -p "$out"
work=$(mktemp -d /tmp/faas-bench-XXXXXX)
pids=()
cleanup() {
    # Newest first (gateway, silos, then redis-server): a silo leaving the cluster still needs Redis.
    for (( i=${#pids[@]}-1; i>=0; i-- )); do
        kill -TERM "${pids[$i]}" 2>/dev/null || true
        wait "${pids[$i]}" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_ready() { for _ in $(seq 1 120); do ./faas list --endpoint "$1" >/dev/null 2>&1 && return 0; sleep 0.5; done; echo "platform at $1 did not start" >&2; exit 1; }
silo_dll=silo/OrleansFaas.Silo/bin/Release/net10.0/OrleansFaas.Silo.dll
gateway_dll=gateway/OrleansFaas.Gateway/bin/Release/net10.0/OrleansFaas.Gateway.dll
export Logging__LogLevel__Default=Warning

run_scenarios() { # label endpoint data-dir-args...
    local label=$1 endpoint=$2; shift 2
    echo "== $label: warm" >&2
    ./faas bench warm --endpoint "$endpoint" "$@" -o json > "$out/$label-warm.json"
    echo "== $label: cold" >&2
    ./faas bench cold --endpoint "$endpoint" -n 30 -o json > "$out/$label-cold.json"
    echo "== $label: cold --no-stem-cells" >&2
    ./faas bench cold --endpoint "$endpoint" -n 30 --no-stem-cells -o json > "$out/$label-cold-no-stem-cells.json"
    echo "== $label: burst" >&2
    ./faas bench burst --endpoint "$endpoint" -o json > "$out/$label-burst.json"
    echo "== $label: throughput" >&2
    ./faas bench throughput --endpoint "$endpoint" --concurrency 8 --duration 10 -o json > "$out/$label-throughput.json"
}

# Dev mode: one process.
dev_port=$(free_port)
FAAS_GRPC_PORT=$dev_port FAAS_SILO_PORT=$(free_port) FAAS_GATEWAY_PORT=$(free_port) FAAS_DATA_DIR=$work/dev \
    dotnet "$gateway_dll" > "$work/dev.log" 2>&1 &
pids+=($!)
wait_ready "http://127.0.0.1:$dev_port"
sleep 2 # stem cells
run_scenarios dev "http://127.0.0.1:$dev_port" --data-dir "$work/dev"
kill -TERM "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true

# A two-silo cluster.
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" > "$work/redis.log" 2>&1 &
pids+=($!)
sleep 0.5
export FAAS_REDIS=127.0.0.1:$redis_port FAAS_ADVERTISED_IP=127.0.0.1 FAAS_CLUSTER_ID=bench
for i in 1 2; do
    FAAS_SILO_PORT=$(free_port) FAAS_GATEWAY_PORT=$(free_port) FAAS_SILO_NAME=silo$i FAAS_DATA_DIR=$work/silo$i \
        dotnet "$silo_dll" > "$work/silo$i.log" 2>&1 &
    pids+=($!)
done
sleep 6
cluster_port=$(free_port)
FAAS_GRPC_PORT=$cluster_port dotnet "$gateway_dll" > "$work/gateway.log" 2>&1 &
pids+=($!)
wait_ready "http://127.0.0.1:$cluster_port"
sleep 2
run_scenarios cluster "http://127.0.0.1:$cluster_port" --data-dir "$work/silo1" --data-dir "$work/silo2"
echo "results in $out/" >&2
