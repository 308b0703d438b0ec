import { defaultTextMapGetter, ROOT_CONTEXT, TraceFlags, trace } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { describe, expect, it } from "vitest";
import { formatTraceparent, isValidSpanContext, parseTraceparent } from "./trace-context.js";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN = "00f067aa0ba902b7";

describe("traceparent", () => {
  it("writes what the W3C propagator writes and reads it back", () => {
    const sc = { traceId: TRACE, spanId: SPAN, traceFlags: TraceFlags.SAMPLED };
    const header = formatTraceparent(sc);
    expect(header).toBe(`00-${TRACE}-${SPAN}-01`);
    expect(parseTraceparent(header)).toEqual({ ...sc, isRemote: true });
    expect(formatTraceparent({ ...sc, traceFlags: TraceFlags.NONE })).toBe(`00-${TRACE}-${SPAN}-00`);
  });

  it("accepts and refuses the same headers as the W3C propagator", () => {
    const w3c = new W3CTraceContextPropagator();
    const cases = [
      `00-${TRACE}-${SPAN}-01`,
      ` 00-${TRACE}-${SPAN}-00 `,
      `01-${TRACE}-${SPAN}-09-future-field`,
      `00-${TRACE}-${SPAN}-01-extra`, // version 00 has exactly four fields
      `ff-${TRACE}-${SPAN}-01`,
      `00-${"0".repeat(32)}-${SPAN}-01`,
      `00-${TRACE}-${"0".repeat(16)}-01`,
      `00-${TRACE.toUpperCase()}-${SPAN}-01`,
      `00-${TRACE}-${SPAN}01`,
      `00-${TRACE.slice(1)}-${SPAN}-01`,
      // Just outside lower-case hex on each side: '/' ':' '`' 'g'.
      `00-${TRACE.slice(0, 31)}/-${SPAN}-01`,
      `00-${TRACE}-${SPAN.slice(0, 15)}:-01`,
      `0\`-${TRACE}-${SPAN}-01`,
      `00-${TRACE}-${SPAN}-0g`,
      `00_${TRACE}-${SPAN}-01`,
      `00-${TRACE}_${SPAN}-01`,
      `00-${TRACE}-${SPAN}_01`,
      `00-${TRACE.slice(0, 31)}-0${SPAN}-01`,
      `09-${TRACE.slice(0, 30)}af-${SPAN.slice(0, 14)}9a-fe`,
      "",
    ];
    for (const header of cases) {
      const ours = parseTraceparent(header);
      const theirs = trace.getSpanContext(
        w3c.extract(ROOT_CONTEXT, { traceparent: header }, defaultTextMapGetter),
      );
      expect({ header, sc: ours }).toEqual({ header, sc: theirs });
    }
  });

  it("carries tracestate and tells a no-op span's context from a real one", () => {
    const sc = parseTraceparent(`00-${TRACE}-${SPAN}-01`, "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
    expect(sc?.traceState?.get("congo")).toBe("t61rcWkgMzE");
    expect(sc?.traceState?.serialize()).toBe("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
    expect(isValidSpanContext(sc!)).toBe(true);
    expect(
      isValidSpanContext({ traceId: "0".repeat(32), spanId: "0".repeat(16), traceFlags: TraceFlags.NONE }),
    ).toBe(false);
  });
});
