#!/usr/bin/env bash
# The one test command (npm test): install, make sure the services are up, type-check, lint, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
bash scripts/setup-services.sh
npx tsc -p tsconfig.json
npx biome check .
# Integration tests must not skip in CI: NOVA_TEST_REQUIRE_SERVICES makes a missing service a failure.
export NOVA_TEST_REQUIRE_SERVICES=1
npx vitest run "$@"
# Second pass, one file at a time: tests that restart the broker or kill services.
NOVA_TEST_PHASE=chaos npx vitest run "$@"
