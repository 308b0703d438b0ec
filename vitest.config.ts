import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Tests run against src/, never dist/: map every @nova/<pkg> (and @nova/<pkg>/test) to its sources.
const root = fileURLToPath(new URL(".", import.meta.url));
const alias = [
  { find: /^@nova\/([a-z0-9-]+)\/test$/, replacement: `${root}packages/$1/src/test/index.ts` },
  // Other subpath exports (`@nova/runtime/compute`) are a file of the package's src/ of the same name.
  { find: /^@nova\/([a-z0-9-]+)\/([a-z0-9-]+)$/, replacement: `${root}packages/$1/src/$2.ts` },
  { find: /^@nova\/([a-z0-9-]+)$/, replacement: `${root}packages/$1/src/index.ts` },
];

const workspaces = ["packages", "apps", "examples"].flatMap((dir) =>
  existsSync(`${root}${dir}`)
    ? readdirSync(`${root}${dir}`, { withFileTypes: true })
        .filter((d) => d.isDirectory() && existsSync(`${root}${dir}/${d.name}/package.json`))
        .map((d) => ({ dir: `${dir}/${d.name}`, name: d.name }))
    : [],
);

// Tests that disturb shared services for everyone (restarting the broker) are named *.chaos.test.ts and run
// in a second, serial pass (NOVA_TEST_PHASE=chaos) so they never break tests running beside them.
const chaos = process.env.NOVA_TEST_PHASE === "chaos";
export default defineConfig({
  resolve: { alias },
  test: {
    fileParallelism: !chaos,
    passWithNoTests: chaos,
    projects: [
      ...workspaces,
      // Repository-wide checks (layering, workspace bins) live beside the scripts they exercise.
      { dir: "scripts", name: "repo" },
      // @nova/db's whole suite runs a second time on MariaDB (the `db` project runs it on SQLite).
      { dir: "packages/db", name: "db-mariadb", env: { NOVA_DB_BACKEND: "mariadb" } },
    ].map(({ dir, name, env }: { dir: string; name: string; env?: Record<string, string> }) => ({
      resolve: { alias },
      test: {
        name,
        root: `${root}${dir}`,
        ...(env ? { env } : {}),
        include: chaos
          ? ["src/**/*.chaos.test.ts", "test/**/*.chaos.test.ts"]
          : ["src/**/*.test.ts", "test/**/*.test.ts", "ui/**/*.test.tsx"],
        exclude: chaos ? [] : ["**/*.chaos.test.ts", "**/node_modules/**"],
        testTimeout: 30_000,
        hookTimeout: 60_000,
      },
    })),
  },
});
