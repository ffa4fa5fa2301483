#!/usr/bin/env bash
# The fresh-machine check: clones this repository's HEAD into an empty folder
# and runs the README's test command (./run-tests.sh) there as a new user
# would, with every tool the project installs itself hidden:
#   - a PATH without Deno, and an empty Deno cache (DENO_DIR), so Deno and the
#     npm packages are installed from npm by the clone itself;
#   - QEMU's optional packages absent (ipxe-qemu and the other recommends of
#     qemu-system-arm are removed when installed, root only);
#   - with --purge, the Debian packages tools/setup.sh installs are removed
#     first too, so the clone must install them again (root only, slow);
#   - no .cache: guest images are fetched and test guests built from scratch.
# Usage: tools/fresh-check.sh [--purge] [--keep]
#   --keep   leave the clone (default: removed when the suite passes)
# Exit status: the suite's (0 passed), 2 usage error.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
purge=0
keep=0
for a in "$@"; do
  case "$a" in
    --purge) purge=1 ;;
    --keep) keep=1 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "fresh-check: unknown option $a (see --help)" >&2; exit 2 ;;
  esac
done
say() { printf '[fresh-check] %s\n' "$*" >&2; }

if [ "$(id -u)" = 0 ]; then
  optional=(ipxe-qemu qemu-system-gui qemu-efi-aarch64 qemu-efi-arm seabios vgabios)
  if [ "$purge" = 1 ]; then
    mapfile -t own < <("$repo/tools/setup.sh" --print-packages)
    optional+=("${own[@]}")
  fi
  present=()
  for p in "${optional[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' && present+=("$p")
  done
  if [ ${#present[@]} -gt 0 ]; then
    say "removing ${present[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq "${present[@]}" >&2
  fi
else
  say "not root: QEMU's optional packages stay as they are"
fi

work="$(mktemp -d /tmp/gunyah-fresh.XXXXXX)"
say "cloning $(git -C "$repo" rev-parse --short HEAD) into $work/gunyah-ts"
git clone -q --no-local "$repo" "$work/gunyah-ts"
# A PATH without Deno (and without anything under the original checkout).
clean_path=""
IFS=: read -ra parts <<<"$PATH"
for d in "${parts[@]}"; do
  [ -z "$d" ] && continue
  [ -x "$d/deno" ] && continue
  case "$d" in "$repo"*) continue ;; esac
  clean_path="${clean_path:+$clean_path:}$d"
done
say "PATH=$clean_path"
say "running ./run-tests.sh (log: $work/run-tests.log)"
start=$(date +%s)
set +e
(cd "$work/gunyah-ts" && env -u GUNYAH_CACHE PATH="$clean_path" DENO_DIR="$work/deno-dir" \
  ./run-tests.sh 2>&1 | tee "$work/run-tests.log")
status=${PIPESTATUS[0]}
set -e
say "finished in $(($(date +%s) - start)) s with exit status $status"
sed 's/\x1b\[[0-9;]*m//g' "$work/run-tests.log" | grep -E '^(ok|FAILED) \| [0-9]+ passed' | tail -1 >&2 || true
if [ "$status" = 0 ] && [ "$keep" = 0 ]; then rm -rf "$work"; else say "clone kept in $work"; fi
exit "$status"
