import { ConfigError, loadNovaConfig } from "@nova/config";
import { describe, expect, it } from "vitest";
import { createTransport, messagingOptions } from "./transport.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe("messagingOptions", () => {
  it("reads [DEFAULT] and [oslo_messaging_rabbit] as @nova/messaging declares them, with Nova's exchange", () => {
    const defaults = messagingOptions(loadNovaConfig());
    expect(defaults.control_exchange).toBe("nova");
    expect(defaults.rpc_response_timeout).toBe(60);
    const set = messagingOptions(
      loadNovaConfig({
        texts: [
          "[DEFAULT]\ncontrol_exchange = other\nrpc_response_timeout = 5\nexecutor_thread_pool_size = 8\n" +
            "[oslo_messaging_rabbit]\nrabbit_quorum_queue = Yes\namqp_durable_queues = on\n",
        ],
      }),
    );
    expect(set).toMatchObject({
      control_exchange: "other",
      rpc_response_timeout: 5,
      executor_thread_pool_size: 8,
      rabbit_quorum_queue: true,
      amqp_durable_queues: true,
    });
  });

  it("refuses a spelling oslo.config refuses, naming the group and option", () => {
    const config = loadNovaConfig({ texts: ["[oslo_messaging_rabbit]\nrabbit_quorum_queue = y\n"] });
    expect(() => messagingOptions(config)).toThrow(ConfigError);
    expect(() => messagingOptions(config)).toThrow(
      /^Invalid value for option rabbit_quorum_queue in group \[oslo_messaging_rabbit\]: .* \(got "y"\)$/,
    );
  });

  it("hands the options to the transport", async () => {
    const transport = createTransport(
      loadNovaConfig({ texts: ["[DEFAULT]\nrpc_response_timeout = 7\n"] }),
      quiet,
    );
    expect(transport.options.rpc_response_timeout).toBe(7);
    expect(transport.options.control_exchange).toBe("nova");
    await transport.close();
  });
});
