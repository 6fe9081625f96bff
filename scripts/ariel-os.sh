#!/usr/bin/env bash
# Finds Ariel OS at the commit the catalog pins (catalog/src/os.rs, through
# mk/catalog.mk) for the Ariel OS firmwares, in this order:
#
#   1. ARIEL_OS_SRC=<checkout of ariel-os>; its git forks come from the
#      offline kit named by ARIEL_OS_KIT=<kit> when set, else from GitHub;
#   2. the offline kit at ../shared/ariel-os (Ariel OS source and the forks);
#   3. GitHub, through laze's git import at the pinned commit.
#
#   scripts/ariel-os.sh check     say which one is used, exit 3 if none is
#                                 reachable (the message says what to do)
#   scripts/ariel-os.sh laze      (run by laze, from laze-project.yml's
#                                 import, in build/imports/ariel-os-finder)
#                                 write the laze import of the one found
#
# The import puts Ariel OS at build/imports/ariel-os, where
# ariel/Cargo.toml and ariel/.cargo/config.toml expect it. With a kit, the
# cargo source replacement for the forks is written to
# build/ariel-os-offline.toml (ariel/.cargo/config.toml includes it when it
# exists).
set -euo pipefail

mode=${1:-check}
case "$mode" in
  laze) root=$(cd ../../.. && pwd) ;;   # cwd: <root>/build/imports/ariel-os-finder
  check) root=$(cd "$(dirname "$0")/.." && pwd) ;;
  *) echo "usage: scripts/ariel-os.sh check|laze" >&2; exit 2 ;;
esac

catalog="$root/mk/catalog.mk"
commit=$(sed -n 's/^CATALOG_ARIEL_OS_COMMIT := //p' "$catalog")
url=$(sed -n 's/^CATALOG_ARIEL_OS_GIT := //p' "$catalog")
[ -n "$commit" ] && [ -n "$url" ] || { echo "ariel-os: $catalog names no Ariel OS commit" >&2; exit 2; }

offline="$root/build/ariel-os-offline.toml"
src="" kit=""
if [ -n "${ARIEL_OS_SRC:-}" ]; then
  src=$(cd "$ARIEL_OS_SRC" 2>/dev/null && pwd) ||
    { echo "ariel-os: ARIEL_OS_SRC=$ARIEL_OS_SRC is not a folder" >&2; exit 3; }
  [ -n "${ARIEL_OS_KIT:-}" ] && kit=$(cd "$ARIEL_OS_KIT" && pwd)
  how="ARIEL_OS_SRC=$src"
elif [ -d "$root/../shared/ariel-os/src" ]; then
  kit=$(cd "$root/../shared/ariel-os" && pwd)
  src="$kit/src"
  how="the offline kit $kit"
fi
if [ -n "$src" ] && [ ! -f "$src/laze-project.yml" ]; then
  echo "ariel-os: $src is not an Ariel OS checkout (no laze-project.yml)" >&2
  exit 3
fi

how_to_get() {
  cat >&2 <<MSG
ariel-os: Ariel OS is not reachable here, so the Ariel OS firmwares are skipped
  (everything bare-metal works without it). Any one of these makes it reachable:
  - a checkout:  git clone $url && git -C ariel-os checkout $commit
                 then ARIEL_OS_SRC=<that folder> (and ARIEL_OS_KIT=<offline kit>
                 when github.com is not reachable for its git forks);
  - the offline kit at ../shared/ariel-os (beside this checkout);
  - a connection to github.com (laze imports it at that commit).
MSG
}

if [ "$mode" = check ]; then
  if [ -z "$src" ]; then
    if ! timeout 20 git ls-remote --exit-code "$url" HEAD >/dev/null 2>&1; then
      how_to_get
      exit 3
    fi
    how="git ($url)"
  fi
  echo "ariel-os: Ariel OS $commit from $how"
  exit 0
fi

# laze mode: write the import laze reads next.
mkdir -p "$root/build"
if [ -n "$kit" ]; then
  # The kit's source replacement, with its vendor folder made absolute.
  sed "s|^directory = .*|directory = \"$kit/vendor\"|" "$kit/cargo-offline.toml" >"$offline.tmp"
  mv "$offline.tmp" "$offline"
else
  rm -f "$offline"
fi
if [ -n "$src" ]; then
  cat >laze.yml <<YML
# Written by scripts/ariel-os.sh: Ariel OS from $how.
imports:
  - path: $src
    dldir: ariel-os
    symlink: true
YML
else
  cat >laze.yml <<YML
# Written by scripts/ariel-os.sh: Ariel OS from GitHub at the pinned commit.
imports:
  - git:
      url: $url
      commit: $commit
    dldir: ariel-os
YML
fi
