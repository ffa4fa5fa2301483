#!/usr/bin/env bash
# Installs what gunyah-ts needs on a Debian machine with Node.js and npm, checks
# it (gunyah doctor), then runs the command given after --then with Deno on PATH.
#   tools/setup.sh [--no-apt] [--print-packages] [--then CMD ARGS...]
# Installs Deno (npm package `deno`, into .cache/deno) when it is not on PATH;
# without --no-apt, as root, the Debian packages the test suite needs (listed
# below), then runs the preflight `deno task doctor` and stops with exit 2 and
# one line per missing piece if anything is still missing.
set -euo pipefail
cd "$(dirname "$0")/.."
# Exactly what the suite runs, and nothing more (no recommends: QEMU is started
# with -nodefaults, so it needs none of its optional firmware such as ipxe-qemu).
#   gcc-aarch64-linux-gnu        builds the bare-metal test guests (C)
#   binutils-aarch64-linux-gnu   assembles and links them; disassembles fuzz cases
#   device-tree-compiler         dtc, the judge of our devicetree blobs
#   qemu-system-arm              qemu-system-aarch64, the reference machine
#   linux-kbuild-6.1             kbuild scripts the Debian kernel headers use: builds the
#                                Gunyah VM manager module (rm/linux) for the guest kernel
#   libc6-dev-arm64-cross        the arm64 C library: the static gunyah-test program (rm/linux)
#   chromium                     the browser the dashboard's browser test drives headless (npm
#                                playwright-core); optional for gunyah doctor: only that test
#                                needs it, and it skips with the reason without it
#   gdb-multiarch                the debugger the GDB stub's e2e test drives (tools/gdb/e2e);
#                                optional for gunyah doctor like chromium
# The Debian guest images (linux-image-arm64, busybox-static for arm64) are
# fetched with apt-get download by `gunyah images`, which adds the arm64
# architecture to dpkg first.
pkgs=(gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu device-tree-compiler qemu-system-arm
  linux-kbuild-6.1 libc6-dev-arm64-cross chromium gdb-multiarch)
apt=1
cmd=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-apt) apt=0; shift ;;
    --then) shift; cmd=("$@"); break ;;
    --print-packages) printf '%s\n' "${pkgs[@]}"; exit 0 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
say() { printf '[setup] %s\n' "$*" >&2; }

if ! command -v deno >/dev/null 2>&1; then
  if [ ! -x .cache/deno/node_modules/.bin/deno ]; then
    say "installing Deno 2.9.6 from npm into .cache/deno (about 40 MB)"
    mkdir -p .cache/deno
    npm install --prefix .cache/deno --no-audit --no-fund --loglevel=error deno@2.9.6 >&2
  fi
  export PATH="$PWD/.cache/deno/node_modules/.bin:$PATH"
fi
say "deno $(deno --version | head -n1 | cut -d' ' -f2)"

if [ "$apt" = 1 ]; then
  missing=()
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      say "installing Debian packages (usually well under a minute): ${missing[*]}"
      dpkg --add-architecture arm64
      DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
    else
      say "not root (or no apt-get): cannot install ${missing[*]}"
    fi
  else
    say "Debian packages present: ${pkgs[*]}"
  fi
  if [ "$(id -u)" = 0 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
    say "adding the arm64 architecture to dpkg (for the guest images) and updating apt's index"
    dpkg --add-architecture arm64
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  fi
  say "preflight: deno task doctor"
  if ! deno run --allow-all tools/cli/main.ts doctor >&2; then
    say "preflight failed: install what is named above (as root, rerun this script), then try again"
    exit 2
  fi
fi

if [ ${#cmd[@]} -gt 0 ]; then
  exec "${cmd[@]}"
fi
