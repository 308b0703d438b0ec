import { compareCodePoints, PythonSemanticsError, pyFloat, pySplit } from "./python-semantics.js";

type Op = (value: string, arg: string | string[]) => boolean;

const num =
  (f: (x: number, y: number) => boolean): Op =>
  (x, y) =>
    f(pyFloat(x), pyFloat(y as string));
const text =
  (f: (c: number) => boolean): Op =>
  (x, y) =>
    f(compareCodePoints(x, y as string));

// Nova's nova/scheduler/filters/extra_specs_ops.py: "=" means ">=" as floats; s-prefixed operators compare
// strings; "<in>" is a substring test.
const OPS: Record<string, Op> = {
  "=": num((x, y) => x >= y),
  "<in>": (x, y) => x.includes(y as string),
  "<all-in>": (x, y) => (y as string[]).every((v) => x.includes(v)),
  "==": num((x, y) => x === y),
  "!=": num((x, y) => x !== y),
  ">=": num((x, y) => x >= y),
  "<=": num((x, y) => x <= y),
  "s==": text((c) => c === 0),
  "s!=": text((c) => c !== 0),
  "s<": text((c) => c < 0),
  "s<=": text((c) => c <= 0),
  "s>": text((c) => c > 0),
  "s>=": text((c) => c >= 0),
};

/**
 * Matches a capability value against a flavor extra-spec requirement, as Nova's extra_specs_ops.match:
 * a requirement without a known operator is a plain string comparison.
 */
export function matchExtraSpec(value: string | null, req: string): boolean {
  const words = pySplit(req);
  const op = words.shift();
  const method = op === undefined ? undefined : OPS[op];
  if (op !== "<or>" && !method) return value === req;
  if (value === null) return false;
  if (op === "<or>") {
    for (;;) {
      const w = words.shift();
      if (w === undefined) throw new PythonSemanticsError("pop from empty list");
      if (w === value) return true;
      if (words.length === 0) break;
      words.shift();
      if (words.length === 0) break;
    }
    return false;
  }
  if (words.length > 0) {
    if (op === "<all-in>") return method!(value, words);
    return method!(value, words[0]!);
  }
  return false;
}
