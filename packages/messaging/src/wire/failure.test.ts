import { describe, expect, it } from "vitest";
import { loadScenario } from "../../test/fixtures.js";
import { NoSuchMethod, UnsupportedVersion } from "../errors/dispatch-errors.js";
import { MessagingError } from "../errors/messaging-error.js";
import { RemoteError } from "../errors/remote-error.js";
import { deserializeMsg } from "./envelope.js";
import { defaultRemoteErrors, deserializeFailure, serializeFailure } from "./failure.js";

function replyFailure(scenario: string): string {
  const reply = loadScenario(scenario).messages.find((m) => m.trace_kind === "publish" && m.exchange === "")!;
  return deserializeMsg(reply.body_raw).failure as string;
}

class PeerError extends Error {
  override name = "PeerError";
  readonly module = "__main__";
  readonly kwargs = { code: 42, detail: "extra" };
}

describe("oslo failure JSON", () => {
  it("rebuilds NoSuchMethod from oslo's dispatcher as a typed error", () => {
    const err = deserializeFailure(replyFailure("call_unknown_method"));
    expect(err).toBeInstanceOf(NoSuchMethod);
    expect((err as NoSuchMethod).method).toBe("no_such_method");
    expect(err.message).toBe("Endpoint does not support RPC method no_such_method");
  });

  it("rebuilds UnsupportedVersion with the version and method", () => {
    const err = deserializeFailure(replyFailure("call_bad_version"));
    expect(err).toBeInstanceOf(UnsupportedVersion);
    expect((err as UnsupportedVersion).version).toBe("2.0");
    expect((err as UnsupportedVersion).method).toBe("echo");
  });

  it("turns anything not allow-listed into RemoteError with class, message and traceback", () => {
    const err = deserializeFailure(replyFailure("call_exception"));
    expect(err).toBeInstanceOf(RemoteError);
    const remote = err as RemoteError;
    expect(remote.excType).toBe("ValueError");
    expect(remote.failure.module).toBe("builtins");
    expect(remote.value).toBe(loadScenario("call_exception").messages[2]!.failure_decoded?.message);
    expect(remote.traceback).toMatch(/^Traceback \(most recent call last\):\n/);
    expect(remote.code).toBe("MESSAGING_REMOTE_ERROR");
    expect(MessagingError.isInstance(remote)).toBe(true);
  });

  it("keeps kwargs of custom exceptions and lets callers allow-list their own types", () => {
    class Custom extends Error {}
    const registry = new Map(defaultRemoteErrors).set("__main__.PeerError", (f) => new Custom(f.message));
    const failure = replyFailure("call_exception_custom");
    const plain = deserializeFailure(failure) as RemoteError;
    expect(plain.failure.kwargs).toEqual({ code: 42, detail: "extra" });
    const typed = deserializeFailure(failure, registry);
    expect(typed).toBeInstanceOf(Custom);
    expect(typed.message).toBe("custom failure");
  });

  it("encodes errors with oslo's keys in oslo's order", () => {
    const json = serializeFailure(new PeerError("custom failure"));
    const parsed = JSON.parse(json);
    expect(Object.keys(parsed)).toEqual(["class", "module", "message", "tb", "args", "kwargs"]);
    expect(parsed).toMatchObject({
      class: "PeerError",
      module: "__main__",
      message: "custom failure",
      args: ["custom failure"],
      kwargs: { code: 42, detail: "extra" },
    });
    expect(parsed.tb[0]).toBe("Traceback (most recent call last):\n");
    expect(parsed.tb.at(-1)).toBe("PeerError: custom failure\n");
    expect(json).toContain('", "module": "');
  });

  it("sends NoSuchMethod exactly as oslo's dispatcher module and strips _Remote suffixes", () => {
    const parsed = JSON.parse(serializeFailure(new NoSuchMethod("nope")));
    expect(parsed.class).toBe("NoSuchMethod");
    expect(parsed.module).toBe("oslo_messaging.rpc.dispatcher");
    expect(parsed.message).toBe("Endpoint does not support RPC method nope");
    const e = Object.assign(new Error("x"), { name: "ValueError_Remote", module: "builtins_Remote" });
    expect(JSON.parse(serializeFailure(e))).toMatchObject({ class: "ValueError", module: "builtins" });
  });

  it("passes a RemoteError on unchanged when an endpoint re-throws it", () => {
    const original = deserializeFailure(replyFailure("call_exception")) as RemoteError;
    const again = JSON.parse(serializeFailure(original));
    expect(again.class).toBe("ValueError");
    expect(again.module).toBe("builtins");
    expect(again.tb).toEqual(original.failure.traceback);
  });
});
