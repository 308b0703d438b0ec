// nova-manage entry point: the only place that touches process.argv and the exit code.
import { runNovaManage } from "./nova-manage.js";

const code = await runNovaManage(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
process.exitCode = code;
