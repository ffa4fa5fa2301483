#!/usr/bin/env bash
# Installs what gunyah-ts needs on a Debian machine with Node.js and npm, then
# runs the command given after --then with Deno on PATH.
#   tools/setup.sh [--no-apt] [--then CMD ARGS...]
# Installs: Deno (npm package `deno`), and as root with apt available: the
# AArch64 cross toolchain, dtc and qemu-system-arm (test guests and oracles).
set -euo pipefail
cd "$(dirname "$0")/.."
apt=1
cmd=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-apt) apt=0; shift ;;
    --then) shift; cmd=("$@"); break ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
say() { printf '[setup] %s\n' "$*" >&2; }

if ! command -v deno >/dev/null 2>&1; then
  say "installing Deno from npm into .cache/deno"
  mkdir -p .cache/deno
  npm install --prefix .cache/deno --no-audit --no-fund --loglevel=error deno@2.9.6 >&2
  export PATH="$PWD/.cache/deno/node_modules/.bin:$PATH"
fi
say "deno $(deno --version | head -n1 | cut -d' ' -f2)"

pkgs=(gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu device-tree-compiler qemu-system-arm)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "$apt" = 1 ] && [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing Debian packages: ${missing[*]}"
    dpkg --add-architecture arm64
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  else
    say "missing Debian packages (${missing[*]}); tests that need them will say so and be skipped"
  fi
fi

if [ ${#cmd[@]} -gt 0 ]; then
  exec "${cmd[@]}"
fi
