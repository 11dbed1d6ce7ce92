#!/bin/sh
# Install Debian's Chromium (/usr/bin/chromium) for the headless HTML report test, tests/test_html_report.py.
# Idempotent: does nothing when /usr/bin/chromium is already there. Needs root or sudo, and apt (Debian/Ubuntu).
set -eu

if [ -x /usr/bin/chromium ]; then
    echo "chromium already installed: /usr/bin/chromium"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1; then
    as_root="sudo"
else
    echo "install-chromium.sh: run as root (or install sudo) to apt-get install chromium" >&2
    exit 1
fi

$as_root env DEBIAN_FRONTEND=noninteractive apt-get update
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium

if [ ! -x /usr/bin/chromium ]; then
    echo "install-chromium.sh: apt-get finished but /usr/bin/chromium is missing" >&2
    exit 1
fi
echo "chromium installed: /usr/bin/chromium"
