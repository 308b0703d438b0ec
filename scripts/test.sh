#!/usr/bin/env bash
# The one test command (npm test): install, make sure the services are up, type-check, lint, run every test,
# then check the packages as users get them (build, pack, publint, attw, install and load; README examples; docs).
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
# Packaging, after the tests: build (turbo) and pack every publishable package, check the tarballs with publint
# and attw, install them into a scratch project and load each entry point from ESM and CommonJS; then
# type-check every README's TypeScript against the built packages, check every public declaration has TSDoc,
# and build the API docs.
npx tsx scripts/check-packages.ts
npx tsx scripts/check-readmes.ts
npx tsx scripts/check-tsdoc.ts
npm run docs
