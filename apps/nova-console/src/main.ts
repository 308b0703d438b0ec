#!/usr/bin/env -S npx tsx
// nova-console --config-file /etc/nova/nova.conf: the live console of separate services. Flows come from
// RabbitMQ's firehose of [DEFAULT] transport_url's vhost (run `rabbitmqctl trace_on -p <vhost>` first), the
// cloud from the Compute API ([console] compute_endpoint, nova-api's osapi_compute_listen[_port] by default).
import { ComputeClient } from "@nova/client";
import {
  type ConsoleServer,
  computeApiCloudReader,
  consumeFirehose,
  ensureConsoleUi,
  type FirehoseConsumer,
  FirehoseFlowRecorder,
  startConsoleServer,
} from "@nova/console";
import { parseTransportUrl } from "@nova/messaging";
import { startService } from "@nova/runtime";
import { parseConsoleOptions } from "./console-options.js";

await startService("nova-console", async ({ config, logger }) => {
  const options = parseConsoleOptions(config);
  const url = parseTransportUrl(config.DEFAULT.transport_url);
  if (url.transport === "fake") {
    throw new Error(
      "nova-console reads a RabbitMQ vhost's firehose: [DEFAULT] transport_url must be rabbit://",
    );
  }
  const flows = new FirehoseFlowRecorder();
  const client = new ComputeClient({ endpoint: options.computeEndpoint, token: options.authToken });
  let firehose: FirehoseConsumer | undefined;
  let server: ConsoleServer | undefined;
  return {
    services: [
      {
        name: "console",
        start: async () => {
          firehose = await consumeFirehose({ url, onMessage: (m) => flows.record(m), logger });
          server = await startConsoleServer({
            flows,
            cloud: computeApiCloudReader(client),
            uiDir: options.uiDir ?? (await ensureConsoleUi()),
            host: options.host,
            port: options.port,
            logger,
          });
          logger.info(
            { url: server.url, compute_endpoint: options.computeEndpoint },
            "serving the live console",
          );
        },
        stop: async () => {
          await server?.close();
          await firehose?.close();
        },
      },
    ],
  };
});
