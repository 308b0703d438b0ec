/**
 * `T` without the `[key: string]: unknown` index signatures that zod's loose objects add, recursively, so that
 * `server.stauts` is a compile error while the runtime value still keeps fields newer than the schema. Records
 * with a real value type (`metadata: Record<string, string>`) keep theirs.
 */
export type Strict<T> = T extends readonly (infer U)[]
  ? Strict<U>[]
  : T extends object
    ? { [K in keyof T as string extends K ? (unknown extends T[K] ? never : K) : K]: Strict<T[K]> }
    : T;
