#!/usr/bin/env bash
# Runs every test: C# (unit, grain tests on TestingHost, end-to-end on real processes), the Python worker's
# unittest suite, and a docker-compose.yml check. The last line is the plain total over all of them.
set -uo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh
faas_install_prerequisites
set +e

passed=0; failed=0; skipped=0
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

echo "== build (Release)"
if ! dotnet build OrleansFaas.sln -c Release -nologo -v q -clp:ErrorsOnly; then
    echo "build failed"
    failed=$((failed + 1))
else
    echo "== C# tests"
    dotnet test OrleansFaas.sln -c Release --no-build -nologo 2>&1 | tee "$results/dotnet.txt"
    summary=$(grep -E "^(Passed|Failed)!" "$results/dotnet.txt" | tail -n 1)
    if [ -z "$summary" ]; then
        echo "the C# test run printed no summary"
        failed=$((failed + 1))
    else
        passed=$((passed + $(sed -E 's/.*Passed: *([0-9]+).*/\1/' <<<"$summary")))
        failed=$((failed + $(sed -E 's/.*Failed: *([0-9]+),.*/\1/' <<<"$summary")))
        skipped=$((skipped + $(sed -E 's/.*Skipped: *([0-9]+).*/\1/' <<<"$summary")))
    fi
fi

echo "== Python worker tests"
(cd worker-python && "${FAAS_PYTHON:-/usr/bin/python3}" -m unittest discover -s tests -t . 2>&1) | tee "$results/python.txt"
ran=$(sed -nE 's/^Ran ([0-9]+) tests?.*/\1/p' "$results/python.txt" | tail -n 1)
if [ -z "$ran" ]; then
    echo "the Python test run printed no summary"
    failed=$((failed + 1))
else
    last=$(grep -E "^(OK|FAILED)" "$results/python.txt" | tail -n 1)
    pf=$(sed -nE 's/.*failures=([0-9]+).*/\1/p' <<<"$last"); pf=${pf:-0}
    pe=$(sed -nE 's/.*errors=([0-9]+).*/\1/p' <<<"$last"); pe=${pe:-0}
    ps=$(sed -nE 's/.*skipped=([0-9]+).*/\1/p' <<<"$last"); ps=${ps:-0}
    [ -n "$last" ] || pe=$((ran))
    passed=$((passed + ran - pf - pe - ps)); failed=$((failed + pf + pe)); skipped=$((skipped + ps))
fi

echo "== docker-compose.yml"
if docker-compose -f docker-compose.yml config -q; then
    echo "docker-compose config: ok"
    passed=$((passed + 1))
else
    echo "docker-compose config: FAILED"
    failed=$((failed + 1))
fi

echo
if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
