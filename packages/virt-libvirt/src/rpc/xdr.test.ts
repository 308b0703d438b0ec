import { describe, expect, it } from "vitest";
import { readDomain, readError, uuidToBytes, uuidToString, writeDomain, writeError } from "./remote-types.js";
import { XdrDecodeError, XdrReader } from "./xdr-reader.js";
import { XdrEncodeError, XdrWriter } from "./xdr-writer.js";

describe("XDR", () => {
  it("encodes integers big-endian in 4 and 8 bytes", () => {
    const w = new XdrWriter(4)
      .int(-2)
      .uint(0xdeadbeef)
      .hyper(-5n)
      .uhyper(2 ** 40)
      .bool(true)
      .double(1.5);
    expect(w.bytes().toString("hex")).toBe(
      ["fffffffe", "deadbeef", "fffffffffffffffb", "0000010000000000", "00000001", "3ff8000000000000"].join(
        "",
      ),
    );
    const r = new XdrReader(Buffer.from(w.bytes()));
    expect([r.int(), r.uint(), r.hyper(), r.uhyper(), r.bool(), r.double()]).toEqual([
      -2,
      0xdeadbeef,
      -5,
      2 ** 40,
      true,
      1.5,
    ]);
    expect(r.remaining).toBe(0);
  });

  it("pads strings and opaques to 4 bytes and counts UTF-8 bytes", () => {
    const w = new XdrWriter()
      .string("héllo")
      .opaque(Buffer.from([1, 2, 3, 4]))
      .fixedOpaque(Buffer.from([9]), 1);
    expect(w.bytes().toString("hex")).toBe(
      "00000006" + "68c3a96c6c6f0000" + "00000004" + "01020304" + "09000000",
    );
    const r = new XdrReader(Buffer.from(w.bytes()));
    expect(r.string()).toBe("héllo");
    expect([...r.opaque()]).toEqual([1, 2, 3, 4]);
    expect([...r.fixedOpaque(1)]).toEqual([9]);
  });

  it("encodes optional values and arrays", () => {
    const w = new XdrWriter()
      .optional<string>(null, (x, v) => x.string(v))
      .optional("a", (x, v) => x.string(v))
      .array([7, 8], (x, v) => x.int(v));
    const r = new XdrReader(Buffer.from(w.bytes()));
    expect(r.optional((x) => x.string())).toBeNull();
    expect(r.optional((x) => x.string())).toBe("a");
    expect(r.array((x) => x.int())).toEqual([7, 8]);
  });

  it("refuses values out of range and data over limits or truncated", () => {
    expect(() => new XdrWriter().int(2 ** 31)).toThrow(XdrEncodeError);
    expect(() => new XdrWriter().uint(-1)).toThrow(XdrEncodeError);
    expect(() => new XdrWriter().string("abcdef", 3)).toThrow("exceeds the limit of 3");
    expect(() => new XdrReader(Buffer.from([0, 0, 0, 9, 65])).string()).toThrow(XdrDecodeError);
    expect(() => new XdrReader(Buffer.from([0, 0, 0, 5, 65, 65, 65, 65, 65, 0, 0, 0])).string(4)).toThrow(
      "exceeds the limit of 4",
    );
    // A huge element count in a short message is refused before anything is allocated.
    expect(() => new XdrReader(Buffer.from([0xff, 0xff, 0xff, 0xff])).array((x) => x.int())).toThrow(
      "does not fit",
    );
  });

  it("round-trips domain handles and remote_error", () => {
    const domain = { name: "instance-00000001", uuid: "6695eb01-f6a4-8304-79aa-97f2502e193f", id: -1 };
    const w = new XdrWriter();
    writeDomain(w, domain);
    writeError(w, { virCode: 42, virDomain: 10, message: "Domain not found", level: 2, str1: "x" });
    const r = new XdrReader(Buffer.from(w.bytes()));
    expect(readDomain(r)).toEqual(domain);
    expect(readError(r)).toEqual({
      virCode: 42,
      virDomain: 10,
      message: "Domain not found",
      level: 2,
      str1: "x",
      str2: null,
      str3: null,
      int1: 0,
      int2: 0,
    });
    expect(uuidToString(uuidToBytes("6695EB01F6A4830479AA97F2502E193F"))).toBe(domain.uuid);
    expect(() => uuidToBytes("nope")).toThrow(TypeError);
  });
});
