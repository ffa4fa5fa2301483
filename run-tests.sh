#!/usr/bin/env bash
# The whole test suite on a fresh Debian machine that has only Node.js and npm:
# installs Deno (from npm) and the Debian packages the tests need, then runs
# `deno task check` (fmt, lint, type-check, tests). Exit status is the suite's.
set -euo pipefail
cd "$(dirname "$0")"
exec ./tools/setup.sh --then deno task check
