import { NovaError } from "@nova/core";
import { FakeBroker, RemoteError, RpcClient, RpcServer, Transport } from "@nova/messaging";
import { describe, expect, it } from "vitest";
import {
  InstanceNotFound,
  MaxRetriesExceeded,
  NoValidHost,
  NovaException,
  novaRemoteErrors,
  UnexpectedDeletingTaskStateError,
  UnexpectedTaskStateError,
} from "./nova-exceptions.js";

describe("Nova exceptions", () => {
  it("keep Nova's class name, format msg_fmt and carry an UPPER_SNAKE_CASE code", () => {
    const err = new InstanceNotFound({ instance_id: "i-1" });
    expect(err).toMatchObject({
      name: "InstanceNotFound",
      code: "INSTANCE_NOT_FOUND",
      message: "Instance i-1 could not be found.",
      kwargs: { instance_id: "i-1", code: 404 },
      httpStatus: 404,
      isRetryable: false,
    });
    expect(new UnexpectedDeletingTaskStateError({ instance_uuid: "u" })).toMatchObject({
      name: "UnexpectedDeletingTaskStateError",
      code: "UNEXPECTED_DELETING_TASK_STATE_ERROR",
      httpStatus: 500,
    });
    expect(new NovaException().message).toBe("An unknown exception occurred.");
  });

  it("are NovaErrors, and isInstance follows Nova's hierarchy", () => {
    const err = new MaxRetriesExceeded({ reason: "all failed" });
    expect(err.message).toBe("Exceeded maximum number of retries. all failed");
    expect(err).toBeInstanceOf(NoValidHost);
    expect(NovaError.isInstance(err)).toBe(true);
    expect(NovaException.isInstance(err)).toBe(true);
    expect(NoValidHost.isInstance(err)).toBe(true);
    expect(InstanceNotFound.isInstance(err)).toBe(false);
    expect(UnexpectedTaskStateError.isInstance(new UnexpectedDeletingTaskStateError())).toBe(true);
  });

  it("travel as nova.exception.<Nova name> and come back typed with the remote message", async () => {
    const broker = new FakeBroker();
    const server = new Transport("fake://", { fakeBroker: broker });
    const client = new Transport("fake://", { fakeBroker: broker });
    const rpc = new RpcServer(server, { topic: "t", server: "s" }, [
      {
        methods: {
          find: () => {
            throw new InstanceNotFound({ instance_id: "i-9" });
          },
        },
      },
    ]);
    await rpc.start();
    try {
      const untyped = await new RpcClient(client, { topic: "t" }).call({}, "find").catch((e: unknown) => e);
      expect(untyped).toBeInstanceOf(RemoteError);
      expect((untyped as RemoteError).excType).toBe("InstanceNotFound");
      expect((untyped as RemoteError).failure).toMatchObject({
        module: "nova.exception",
        kwargs: { instance_id: "i-9", code: 404 },
      });
      const typed = await new RpcClient(client, { topic: "t" }, { remoteErrors: novaRemoteErrors })
        .call({}, "find")
        .catch((e: unknown) => e);
      expect(typed).toBeInstanceOf(InstanceNotFound);
      expect(typed).toMatchObject({
        code: "INSTANCE_NOT_FOUND",
        message: "Instance i-9 could not be found.",
      });
    } finally {
      await rpc.stop();
      await client.close();
      await server.close();
    }
  });
});
