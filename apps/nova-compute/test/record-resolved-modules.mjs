// Preloaded with `node --import` before a service's entry point: records every module URL the process resolves
// (one a line, appended to the file NOVA_MODULE_LOG names), through Node's module customization hooks.
import { register } from "node:module";

register("./record-resolved-modules-hooks.mjs", import.meta.url, {
  data: { file: process.env.NOVA_MODULE_LOG },
});
