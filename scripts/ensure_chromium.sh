#!/bin/sh
# The browser tests (tests/e2e) drive Debian's Chromium; test tools cannot download their own
# browser here. Install it when we can (root with apt-get), otherwise say how and carry on:
# the browser tests then skip, and a run with CI set fails on skips.
set -u
chromium=${E2E_CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Chromium for the browser tests: apt-get install chromium"
    export DEBIAN_FRONTEND=noninteractive
    if apt-get update -qq && apt-get install -y -qq chromium; then
        exit 0
    fi
    echo "Could not install Chromium; the browser tests will be skipped." >&2
else
    echo "Chromium is not installed at $chromium, so the browser tests (tests/e2e) will be skipped." >&2
    echo "Install it with: sudo apt-get install chromium   (Debian/Ubuntu; or set E2E_CHROMIUM to a Chromium binary)" >&2
fi
exit 0
