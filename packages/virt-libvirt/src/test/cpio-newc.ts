/** One entry of a cpio archive. */
export type CpioEntry =
  | { readonly type: "dir"; readonly path: string; readonly mode?: number }
  | { readonly type: "file"; readonly path: string; readonly data: Uint8Array; readonly mode?: number }
  | { readonly type: "symlink"; readonly path: string; readonly target: string }
  | {
      readonly type: "char";
      readonly path: string;
      readonly major: number;
      readonly minor: number;
      readonly mode?: number;
    };

const pad4 = (n: number) => (4 - (n % 4)) % 4;
const hex8 = (n: number) => n.toString(16).padStart(8, "0");

/**
 * Writes a cpio archive in the "newc" format the Linux kernel unpacks as an initramfs (no cpio binary needed).
 * All entries are owned by root with mtime 0, so the same inputs give the same bytes.
 */
export function cpioNewc(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  let ino = 1;
  const add = (name: string, mode: number, data: Uint8Array, rdevMajor = 0, rdevMinor = 0, nlink = 1) => {
    const nameBytes = Buffer.from(`${name}\0`, "utf8");
    const header =
      "070701" +
      [ino++, mode, 0, 0, nlink, 0, data.length, 0, 0, rdevMajor, rdevMinor, nameBytes.length, 0]
        .map(hex8)
        .join("");
    parts.push(Buffer.from(header, "ascii"), nameBytes, Buffer.alloc(pad4(110 + nameBytes.length)));
    parts.push(Buffer.from(data), Buffer.alloc(pad4(data.length)));
  };
  for (const e of entries) {
    const path = e.path.replace(/^\/+/, "");
    switch (e.type) {
      case "dir":
        add(path, 0o040000 | (e.mode ?? 0o755), new Uint8Array(0), 0, 0, 2);
        break;
      case "file":
        add(path, 0o100000 | (e.mode ?? 0o644), e.data);
        break;
      case "symlink":
        add(path, 0o120777, Buffer.from(e.target, "utf8"));
        break;
      case "char":
        add(path, 0o020000 | (e.mode ?? 0o600), new Uint8Array(0), e.major, e.minor);
        break;
    }
  }
  add("TRAILER!!!", 0, new Uint8Array(0));
  return Buffer.concat(parts);
}
