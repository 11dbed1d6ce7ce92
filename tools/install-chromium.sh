#!/bin/sh
# Install Debian's Chromium (/usr/bin/chromium) and its WebDriver (/usr/bin/chromedriver, package chromium-driver)
# for the headless browser tests: the HTML report (tests/test_html_report.py) and the reviewer's desk
# (tests/test_desk.py, Selenium). Idempotent: does nothing when both are already there. Needs root or sudo, and apt
# (Debian/Ubuntu).
set -eu

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    echo "chromium and chromium-driver already installed: /usr/bin/chromium, /usr/bin/chromedriver"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1; then
    as_root="sudo"
else
    echo "install-chromium.sh: run as root (or install sudo) to apt-get install chromium chromium-driver" >&2
    exit 1
fi

$as_root env DEBIAN_FRONTEND=noninteractive apt-get update
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium chromium-driver

for binary in /usr/bin/chromium /usr/bin/chromedriver; do
    if [ ! -x "$binary" ]; then
        echo "install-chromium.sh: apt-get finished but $binary is missing" >&2
        exit 1
    fi
done
echo "chromium installed: /usr/bin/chromium, /usr/bin/chromedriver"
