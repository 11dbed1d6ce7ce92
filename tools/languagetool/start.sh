#!/usr/bin/env bash
# Run the LanguageTool HTTP server in the foreground, bound to loopback only.
#
#   tools/languagetool/start.sh PORT [HEAP]      e.g. start.sh 8081 512m
#
# Run install.sh first. No --public flag: the server listens on localhost only.
# Env:
#   MEDPRESS_LT_DIR      install dir (default $HOME/.cache/medpress/languagetool-<version>, as install.sh;
#                        MEDPRESS_CACHE does not move it)
#   MEDPRESS_LT_CONFIG   optional properties file passed as --config (e.g. maxTextLength=50000)
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 PORT [HEAP]" >&2
  exit 2
fi
PORT="$1"
HEAP="${2:-512m}"

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VERSION="$(sed -n 's:.*<languagetool.version>\([^<]*\)</languagetool.version>.*:\1:p' "$HERE/pom.xml" | head -n1)"
DIR="${MEDPRESS_LT_DIR:-$HOME/.cache/medpress/languagetool-$VERSION}"

if [[ ! -s "$DIR/lib/languagetool-server-$VERSION.jar" ]]; then
  echo "start.sh: LanguageTool $VERSION not installed in $DIR; run $HERE/install.sh" >&2
  exit 1
fi

EXTRA=()
[[ -n "${MEDPRESS_LT_CONFIG:-}" ]] && EXTRA+=(--config "$MEDPRESS_LT_CONFIG")

exec java -Xmx"$HEAP" -cp "$DIR/lib/*" org.languagetool.server.HTTPServer \
  --port "$PORT" --allow-origin '*' "${EXTRA[@]}"
