#!/usr/bin/env bash
# Assemble an English-only LanguageTool HTTP server from Maven Central jars.
#
#   tools/languagetool/install.sh        -> prints the install dir on the last line of stdout
#
# Installs into ${MEDPRESS_LT_DIR:-$HOME/.cache/medpress/languagetool-<version>}/lib/*.jar
# (outside git). MEDPRESS_CACHE does not move it: medpress looks for it in the same place
# whatever cache folder a review uses (flows/services/languagetool.py install_dir). Idempotent: if the install dir exists and its SHA256SUMS manifest
# verifies, nothing is done. A failed verification re-installs from scratch.
#
# Env:
#   MEDPRESS_LT_DIR    install dir (default $HOME/.cache/medpress/languagetool-<version>)
#   MEDPRESS_M2_REPO   Maven local repository to use (default: Maven's own, ~/.m2/repository)
# Needs: java >= 17, mvn, sha256sum.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
POM="$HERE/pom.xml"

VERSION="$(sed -n 's:.*<languagetool.version>\([^<]*\)</languagetool.version>.*:\1:p' "$POM" | head -n1)"
if [[ -z "$VERSION" ]]; then
  echo "install.sh: cannot read <languagetool.version> from $POM" >&2
  exit 1
fi

DEST="${MEDPRESS_LT_DIR:-$HOME/.cache/medpress/languagetool-$VERSION}"
CACHE="$(dirname "$DEST")"   # lock and staging dir beside the install (same file system for the final mv)
CORE_JARS=("languagetool-core-$VERSION.jar" "languagetool-server-$VERSION.jar" "language-en-$VERSION.jar")

log() { echo "install.sh: $*" >&2; }

# Core jars present in $1/lib?
has_core_jars() {
  local j
  for j in "${CORE_JARS[@]}"; do
    [[ -s "$1/lib/$j" ]] || { log "missing $1/lib/$j"; return 1; }
  done
}

# Is $1 a complete, unmodified install?
verified() {
  local d="$1"
  [[ -d "$d/lib" && -s "$d/SHA256SUMS" ]] || return 1
  # Same pom as now (an edited exclusion list with the same version must re-install).
  cmp -s "$d/pom.xml.installed" "$POM" || { log "$d was built from a different pom.xml"; return 1; }
  has_core_jars "$d" || return 1
  # No jar outside the manifest (a stray jar would end up on the classpath).
  local n_lib n_sum
  n_lib="$(find "$d/lib" -maxdepth 1 -type f -name '*.jar' | wc -l)"
  n_sum="$(wc -l < "$d/SHA256SUMS")"
  [[ "$n_lib" -eq "$n_sum" ]] || { log "jar count $n_lib != manifest $n_sum"; return 1; }
  (cd "$d" && sha256sum -c --quiet --strict SHA256SUMS >&2) || { log "checksum mismatch in $d"; return 1; }
}

mkdir -p "$CACHE"

# Serialise concurrent installs (flock is in util-linux; skip locking if absent).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE/.languagetool-$VERSION.lock"
  flock 9
fi

if verified "$DEST"; then
  log "LanguageTool $VERSION already installed and verified"
  echo "$DEST"
  exit 0
fi

command -v mvn >/dev/null 2>&1 || { log "mvn not found (apt-get install maven)"; exit 1; }
command -v java >/dev/null 2>&1 || { log "java not found (need Java >= 17)"; exit 1; }

[[ -e "$DEST" ]] && log "existing $DEST failed verification; re-installing"
log "installing LanguageTool $VERSION (English) into $DEST"

STAGE="$(mktemp -d "$CACHE/.languagetool-$VERSION.stage.XXXXXX")"
trap 'rm -rf "$STAGE"' EXIT

# Build in the staging dir so nothing (target/ etc.) lands in the git tree.
cp "$POM" "$STAGE/pom.xml"
MVN_ARGS=(-q -B -f "$STAGE/pom.xml" -Dlt.outputDir="$STAGE/lib")
[[ -n "${MEDPRESS_M2_REPO:-}" ]] && MVN_ARGS+=(-Dmaven.repo.local="$MEDPRESS_M2_REPO")
# Maven's output goes to stderr (stdout's last line must be the install dir); Debian's
# Maven 3.8 prints stray colour resets even with -B -q, strip them.
mvn "${MVN_ARGS[@]}" package 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2

rm -f "$STAGE/pom.xml"
cp "$POM" "$STAGE/pom.xml.installed"   # provenance: the pom this install came from
has_core_jars "$STAGE" || { log "Maven finished but core jars are missing"; exit 1; }
(cd "$STAGE" && find lib -maxdepth 1 -type f -name '*.jar' -print0 | LC_ALL=C sort -z \
   | xargs -0 sha256sum > SHA256SUMS)
verified "$STAGE" || { log "fresh install failed verification"; exit 1; }

rm -rf "$DEST"
mv -T "$STAGE" "$DEST"
trap - EXIT
log "installed $(wc -l < "$DEST/SHA256SUMS") jars, $(du -sh "$DEST/lib" | cut -f1)"
echo "$DEST"
