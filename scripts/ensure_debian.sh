#!/bin/sh
# Some tests drive programs from Debian's packages (nginx for tests/test_deploy.py, wrk for
# tests/test_bench_latency.py). Install the missing ones when we can (root with apt-get),
# otherwise say how and carry on: those tests then skip, and a run with CI set fails on skips.
# Usage: ensure_debian.sh "what needs them" PROGRAM=PACKAGE ...   (PROGRAM: a command or a path)
set -u
what=$1
shift
missing=""
for pair in "$@"; do
    command -v "${pair%%=*}" >/dev/null 2>&1 || missing="$missing ${pair#*=}"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing what $what need: apt-get install$missing"
    export DEBIAN_FRONTEND=noninteractive
    # $missing unquoted on purpose: one word per package.
    if apt-get install -y -qq $missing >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq $missing; }; then
        exit 0
    fi
    echo "Could not install$missing; $what will be skipped." >&2
else
    echo "Not installed:$missing; $what will be skipped." >&2
    echo "Install with: sudo apt-get install$missing   (Debian/Ubuntu)" >&2
fi
exit 0
