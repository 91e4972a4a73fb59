#!/bin/sh
# The benchmark drives the servers with Debian's wrk when it is there; without it, it uses its own
# asyncio client (slower, so the ratios come out less strict). Install wrk when we can (root
# with apt-get), otherwise say so and carry on.
set -u
command -v wrk >/dev/null 2>&1 && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing wrk for the benchmark: apt-get install wrk"
    export DEBIAN_FRONTEND=noninteractive
    if apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }; then
        exit 0
    fi
    echo "Could not install wrk; the benchmark uses its asyncio client instead." >&2
else
    echo "wrk is not installed, so the benchmark uses its asyncio client instead." >&2
    echo "Install it with: sudo apt-get install wrk   (Debian/Ubuntu)" >&2
fi
exit 0
