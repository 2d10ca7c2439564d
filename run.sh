#!/usr/bin/env bash
# Starts OrleansFaas in dev mode (one process: silo + gateway, memory stores), deploys examples/hello,
# invokes it once, and keeps serving until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")"
root=$PWD
source scripts/prerequisites.sh
faas_install_prerequisites

echo "Building (Release)..."
dotnet build OrleansFaas.sln -c Release -nologo -v q -clp:ErrorsOnly

export FAAS_GRPC_PORT="${FAAS_GRPC_PORT:-50051}"
export FAAS_ENDPOINT="${FAAS_ENDPOINT:-http://127.0.0.1:$FAAS_GRPC_PORT}"
export FAAS_DATA_DIR="${FAAS_DATA_DIR:-$root/.faas-data/dev}"
mkdir -p "$FAAS_DATA_DIR"
log="$FAAS_DATA_DIR/platform.log"

dotnet gateway/OrleansFaas.Gateway/bin/Release/net10.0/OrleansFaas.Gateway.dll >"$log" 2>&1 &
platform=$!
stop() {
    trap - INT TERM EXIT
    if kill -0 "$platform" 2>/dev/null; then
        echo
        echo "Stopping the platform (pid $platform) and its workers..."
        kill -TERM "$platform" 2>/dev/null || true
        wait "$platform" 2>/dev/null || true
    fi
}
trap stop INT TERM EXIT

echo "Starting the platform in dev mode on $FAAS_ENDPOINT (log: $log)..."
for _ in $(seq 1 120); do
    if ! kill -0 "$platform" 2>/dev/null; then
        echo "The platform exited during start:" >&2
        tail -n 30 "$log" >&2
        exit 1
    fi
    if ./faas list >/dev/null 2>&1; then
        break
    fi
    sleep 0.5
done

./faas deploy hello --code examples/hello --handler hello.handler
echo "\$ ./faas invoke hello"
./faas invoke hello

cat <<TXT

OrleansFaas is running in dev mode at $FAAS_ENDPOINT. Try, in another terminal:
  ./faas deploy echo --code examples/echo --handler echo.handler
  ./faas invoke echo --payload '{"hello": "world"}'
  ./faas invoke hello --output json      # cold/warm, duration, billed ms, silo, instance
  ./faas list
  ./faas billing hello
Press Ctrl-C to stop (every worker process is stopped with it).
TXT
wait "$platform"
