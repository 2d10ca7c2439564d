#!/usr/bin/env bash
# Generates the faas.worker.v1 Python stubs and precompiles the worker.
#   usage: worker-python/generate_protos.sh [OUT_DIR]   (default: worker-python/gen)
# Cheap when nothing changed: protoc runs only when the proto (or this script) is
# newer than the stubs. Called by the C# build and by the tests, possibly at once,
# hence the lock and the write-then-rename.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(dirname "$script_dir")"
proto_root="$repo_root/protos"
proto_rel="faas/worker/v1/worker.proto"
python="${FAAS_PYTHON:-/usr/bin/python3}"
protoc="${PROTOC:-/usr/bin/protoc}"
grpc_plugin="${GRPC_PYTHON_PLUGIN:-/usr/bin/grpc_python_plugin}"

out_dir="${1:-$script_dir/gen}"
mkdir -p "$out_dir"
out_dir="$(cd "$out_dir" && pwd)"
stub_dir="$out_dir/faas/worker/v1"

exec 9>"$out_dir/.generate.lock"
flock 9

stale=0
for f in "$stub_dir/worker_pb2.py" "$stub_dir/worker_pb2_grpc.py" \
         "$out_dir/faas/__init__.py" "$out_dir/faas/worker/__init__.py" "$stub_dir/__init__.py"; do
  if [[ ! -f "$f" || "$proto_root/$proto_rel" -nt "$f" || "${BASH_SOURCE[0]}" -nt "$f" ]]; then
    stale=1
  fi
done

if (( stale )); then
  tmp="$(mktemp -d "$out_dir/.tmp.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  "$protoc" -I "$proto_root" --python_out="$tmp" --grpc_python_out="$tmp" \
    --plugin=protoc-gen-grpc_python="$grpc_plugin" "$proto_rel"
  touch "$tmp/faas/__init__.py" "$tmp/faas/worker/__init__.py" "$tmp/faas/worker/v1/__init__.py"
  mkdir -p "$stub_dir"
  # __init__ files last: a reader sees either old or new stubs, never half of them.
  for f in worker_pb2.py worker_pb2_grpc.py; do mv -f "$tmp/faas/worker/v1/$f" "$stub_dir/$f"; done
  mv -f "$tmp/faas/worker/v1/__init__.py" "$stub_dir/__init__.py"
  mv -f "$tmp/faas/worker/__init__.py" "$out_dir/faas/worker/__init__.py"
  mv -f "$tmp/faas/__init__.py" "$out_dir/faas/__init__.py"
fi

# Bytecode next to the sources, so a worker start never compiles (even with
# PYTHONDONTWRITEBYTECODE set). compileall skips files whose .pyc is current.
"$python" -m compileall -q "$script_dir/faas_worker" "$out_dir/faas" >/dev/null
