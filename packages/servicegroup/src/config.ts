import type { Logger } from "@nova/core";
import { z } from "zod";

/** The options as nova.conf names them (`[DEFAULT] report_interval`, `service_down_time`, `servicegroup_driver`). */
export const serviceGroupConfigSchema = z.object({
  report_interval: z.number().int().min(0).default(10),
  service_down_time: z.number().int().min(1).default(60),
  // `db`, `memory` (one process, tests), or a plug-in as `<npm module>#<Export>`. Nova's `mc` is refused: no
  // memcache client here; a plug-in can bring one.
  servicegroup_driver: z
    .string()
    .default("db")
    .refine((v) => v !== "mc", {
      message:
        "the memcache servicegroup driver (mc) is not supported; use db or a <npm module>#<Export> plug-in",
    })
    .refine((v) => v === "db" || v === "memory" || /^[^#]+#[^#]+$/.test(v), {
      message: "unknown servicegroup driver (known: db, memory, or <npm module>#<Export>)",
    }),
});

/** Service group configuration after parsing and Nova's correction of service_down_time. */
export interface ServiceGroupConfig {
  /** Seconds between two reports of a service; 0 turns reporting off, as in Nova. */
  reportInterval: number;
  /** Seconds without a report after which a service is down. */
  serviceDownTime: number;
  /** `servicegroup_driver`: how reports travel and where liveness is read (`db`, `memory` or `<module>#<Export>`). */
  driver: string;
}

/**
 * Parses the options once. Like Nova, a service_down_time not larger than report_interval would flap every
 * service, so it is raised to 2.5 x report_interval with a warning rather than refused.
 */
export function parseServiceGroupConfig(raw: unknown, logger?: Logger): ServiceGroupConfig {
  const opts = serviceGroupConfigSchema.parse(raw ?? {});
  let serviceDownTime = opts.service_down_time;
  if (serviceDownTime <= opts.report_interval) {
    const corrected = Math.trunc(opts.report_interval * 2.5);
    logger?.warn(
      {
        service_down_time: serviceDownTime,
        report_interval: opts.report_interval,
        new_service_down_time: corrected,
      },
      "report_interval must be less than service_down_time; setting service_down_time to 2.5 x report_interval",
    );
    serviceDownTime = corrected;
  }
  return { reportInterval: opts.report_interval, serviceDownTime, driver: opts.servicegroup_driver };
}
