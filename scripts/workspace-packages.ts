// The workspace's publishable packages (every packages/* manifest that is not private), read from disk so a
// new package is picked up by the packaging checks without a list to keep.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("..", import.meta.url));

export interface PublishablePackage {
  /** Folder relative to the repo root, e.g. `packages/client`. */
  dir: string;
  /** The package name, e.g. `@nova/client`. */
  name: string;
  /** Import specifiers of every `exports` subpath, e.g. `@nova/client`, `@nova/client/test`. */
  entryPoints: string[];
}

interface Manifest {
  name: string;
  private?: boolean;
  exports?: Record<string, unknown>;
}

export function publishablePackages(root = repoRoot): PublishablePackage[] {
  return readdirSync(join(root, "packages"), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, "packages", d.name, "package.json")))
    .map((d) => {
      const dir = `packages/${d.name}`;
      const manifest = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")) as Manifest;
      return { dir, manifest };
    })
    .filter(({ manifest }) => !manifest.private)
    .map(({ dir, manifest }) => ({
      dir,
      name: manifest.name,
      entryPoints: Object.keys(manifest.exports ?? { ".": null }).map((k) => manifest.name + k.slice(1)),
    }));
}
