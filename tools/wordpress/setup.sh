#!/usr/bin/env bash
# Install Debian's WordPress, MariaDB and PHP CLI for tools/wordpress/server.py (tests and by hand).
#
#   tools/wordpress/setup.sh
#
# Idempotent: installs only the packages `dpkg -s` does not report as installed, and starts nothing
# (a temporary /usr/sbin/policy-rc.d keeps the packages' maintainer scripts from starting MariaDB or
# Apache; apache2 comes along as a dependency of wordpress but is never used).
# Needs root (or sudo-less apt) and the Debian package mirrors. Prints how long it took.
set -euo pipefail

PACKAGES=(wordpress mariadb-server php-cli php-mysql)
start=$(date +%s.%N)
log() { echo "setup.sh: $*" >&2; }

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  log "already installed: ${PACKAGES[*]}"
else
  if [[ $(id -u) -ne 0 ]]; then
    log "missing ${missing[*]} and not root: run this script as root"
    exit 1
  fi
  log "installing ${missing[*]}"
  policy=/usr/sbin/policy-rc.d
  created_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\n# tools/wordpress/setup.sh: start no service while installing\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    created_policy=1
  fi
  cleanup() { if ((created_policy)); then rm -f "$policy"; fi; }
  trap cleanup EXIT
  export DEBIAN_FRONTEND=noninteractive
  # An update only when the lists are missing or more than a day old (a cold machine has none).
  if [[ -z $(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mtime -1 -print -quit 2>/dev/null) ]]; then
    apt-get update -qq
  fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

php -r 'exit(extension_loaded("mysqli") ? 0 : 1);' || { log "php-mysql installed but mysqli not loaded"; exit 1; }
[[ -f /usr/share/wordpress/wp-load.php ]] || { log "/usr/share/wordpress/wp-load.php missing"; exit 1; }
command -v mariadb-install-db >/dev/null || command -v mysql_install_db >/dev/null \
  || { log "mariadb-install-db missing"; exit 1; }

end=$(date +%s.%N)
log "done in $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') s"
