#!/usr/bin/env bash
# Boots the default gunyah-ts system on a fresh Debian machine with Node.js and
# npm: installs Deno from npm if needed, then runs `deno task boot` with any
# arguments given (see ./boot.sh --help).
set -euo pipefail
cd "$(dirname "$0")"
exec ./tools/setup.sh --no-apt --then deno task boot "$@"
