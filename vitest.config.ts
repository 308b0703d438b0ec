import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Tests run against src/, never dist/: map every @nova/<pkg> (and @nova/<pkg>/test) to its sources.
const root = fileURLToPath(new URL(".", import.meta.url));
const alias = [
  { find: /^@nova\/([a-z0-9-]+)\/test$/, replacement: `${root}packages/$1/src/test/index.ts` },
  { find: /^@nova\/([a-z0-9-]+)$/, replacement: `${root}packages/$1/src/index.ts` },
];

const workspaces = ["packages", "apps"].flatMap((dir) =>
  existsSync(`${root}${dir}`)
    ? readdirSync(`${root}${dir}`, { withFileTypes: true })
        .filter((d) => d.isDirectory() && existsSync(`${root}${dir}/${d.name}/package.json`))
        .map((d) => ({ dir: `${dir}/${d.name}`, name: d.name }))
    : [],
);

// A package may add extra projects (for example the db suite once per backend) in vitest.projects.ts.
export default defineConfig({
  resolve: { alias },
  test: {
    projects: workspaces.map(({ dir, name }) => ({
      resolve: { alias },
      test: {
        name,
        root: `${root}${dir}`,
        include: ["src/**/*.test.ts", "test/**/*.test.ts"],
        testTimeout: 30_000,
        hookTimeout: 60_000,
      },
    })),
  },
});
