#!/usr/bin/env bash
# Installs what the build, the platform and the tests need on a Debian machine, only what is missing.
# Sourced by run.sh and test.sh.
set -euo pipefail

faas_packages=(python3-grpcio python3-protobuf protobuf-compiler protobuf-compiler-grpc redis-server docker-compose)

faas_install_prerequisites() {
    local missing=()
    for pkg in "${faas_packages[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "Installing: ${missing[*]}" >&2
        local sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        $sudo apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
    fi
    if ! command -v dotnet >/dev/null 2>&1; then
        echo "The .NET SDK 10 is required (dotnet on PATH): https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2
        exit 1
    fi
    local python="${FAAS_PYTHON:-/usr/bin/python3}"
    if ! "$python" -c 'import grpc, google.protobuf' 2>/dev/null; then
        echo "$python cannot import grpc and protobuf: set FAAS_PYTHON to an interpreter that has them." >&2
        exit 1
    fi
}
