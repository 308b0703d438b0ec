// Latency of define, start, get info, destroy and undefine through our libvirt client, beside the same calls
// through Python's libvirt binding (python3-libvirt, what Nova uses), in the same run, on the same daemon.
//   npx tsx bench/libvirt/run.ts [--iterations 300] [--qemu-iterations 8] [--no-qemu]
// Two backends: libvirtd's test driver (the protocol's own cost: Python goes through the daemon with
// test+unix:///default) and the QEMU driver starting real (tiny, directly booted) guests.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildDomainXml, LibvirtClient } from "@nova/virt-libvirt";
import { ensureTestGuest } from "@nova/virt-libvirt/test";

const { values } = parseArgs({
  options: {
    iterations: { type: "string", default: "300" },
    "qemu-iterations": { type: "string", default: "8" },
    "no-qemu": { type: "boolean", default: false },
  },
});
const OPS = ["define", "start", "getinfo", "destroy", "undefine"] as const;
type Op = (typeof OPS)[number];
type Samples = Record<Op, number[]>;
const PYTHON = "/usr/bin/python3"; // Debian's, with python3-libvirt (the pyenv python3 on PATH has no binding)

function ensurePythonBinding(): void {
  if (spawnSync(PYTHON, ["-c", "import libvirt"]).status === 0) return;
  console.log("installing python3-libvirt (the baseline) with apt-get ...");
  execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "python3-libvirt"], {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
}

async function ours(uri: string, iterations: number, template: string): Promise<Samples> {
  const client = await LibvirtClient.connect({ uri });
  const samples: Samples = { define: [], start: [], getinfo: [], destroy: [], undefine: [] };
  const timed = async <T>(op: Op, fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    const result = await fn();
    samples[op].push(performance.now() - t);
    return result;
  };
  for (let i = 0; i < iterations; i++) {
    const xml = template
      .replace("@NAME@", `bench-ts-${process.pid}-${i}`)
      .replace("@UUID@", crypto.randomUUID());
    const defined = await timed("define", () => client.domainDefineXml(xml));
    const running = await timed("start", () => client.domainCreate(defined));
    await timed("getinfo", () => client.domainGetInfo(running));
    await timed("destroy", () => client.domainDestroy(running));
    await timed("undefine", () => client.domainUndefine(running));
  }
  await client.close();
  return samples;
}

function python(uri: string, iterations: number, template: string, dir: string): Samples {
  const templatePath = join(dir, `template-${Math.random().toString(36).slice(2)}.xml`);
  writeFileSync(templatePath, template);
  const out = execFileSync(
    PYTHON,
    [join(import.meta.dirname, "python_baseline.py"), uri, String(iterations), templatePath],
    {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return JSON.parse(out) as Samples;
}

const merge = (a: Samples, b: Samples): Samples =>
  Object.fromEntries(OPS.map((op) => [op, [...a[op], ...b[op]]])) as Samples;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};

function report(title: string, ts: Samples, py: Samples): void {
  console.log(`\n${title}`);
  console.log(
    "| call | nova-ts p50 ms | python p50 ms | python/nova-ts (p50) | nova-ts p95 ms | python p95 ms |",
  );
  console.log("|---|---:|---:|---:|---:|---:|");
  for (const op of OPS) {
    const [a, b] = [pct(ts[op], 50), pct(py[op], 50)];
    console.log(
      `| ${op} | ${a.toFixed(3)} | ${b.toFixed(3)} | ${(b / a).toFixed(2)}x | ${pct(ts[op], 95).toFixed(3)} | ${pct(py[op], 95).toFixed(3)} |`,
    );
  }
}

async function throughput(uri: string, calls: number): Promise<void> {
  // Many get-info calls in flight on one socket, against Python issuing them one after the other.
  const client = await LibvirtClient.connect({ uri });
  const [domain] = await client.listAllDomains(1);
  if (!domain) throw new Error("the test driver has no running domain");
  const t = performance.now();
  await Promise.all(Array.from({ length: calls }, () => client.domainGetInfo(domain)));
  const oursPerSec = calls / ((performance.now() - t) / 1000);
  await client.close();
  const py = execFileSync(
    PYTHON,
    [
      "-c",
      `import libvirt,time\nc=libvirt.open("test+unix:///default")\nd=c.lookupByName("${domain.name}")\nt=time.perf_counter()\nfor _ in range(${calls}): d.info()\nprint(${calls}/(time.perf_counter()-t))`,
    ],
    { encoding: "utf8" },
  );
  const pyPerSec = Number(py.trim());
  console.log(
    `\nget info throughput, ${calls} calls (test driver): nova-ts ${oursPerSec.toFixed(0)}/s with all in flight on one socket; python ${pyPerSec.toFixed(0)}/s sequential; ratio ${(oursPerSec / pyPerSec).toFixed(2)}x`,
  );
}

ensurePythonBinding();
const dir = mkdtempSync(join(tmpdir(), "nova-bench-libvirt-"));
try {
  const iterations = Number(values.iterations);
  const testTemplate =
    '<domain type="test"><name>@NAME@</name><uuid>@UUID@</uuid><memory unit="KiB">65536</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>';
  // A warm-up for both (Node's JIT, the daemon), then A-B-B-A so neither side always runs on a warmer daemon.
  python("test+unix:///default", 20, testTemplate, dir);
  await ours("test:///default", 20, testTemplate);
  const half = Math.ceil(iterations / 2);
  const pyA = python("test+unix:///default", half, testTemplate, dir);
  const tsA = await ours("test:///default", half, testTemplate);
  const tsB = await ours("test:///default", half, testTemplate);
  const pyB = python("test+unix:///default", half, testTemplate, dir);
  const ts1 = merge(tsA, tsB);
  const py1 = merge(pyA, pyB);
  report(
    `libvirtd test driver, ${iterations} define/start/info/destroy/undefine cycles (through the daemon)`,
    ts1,
    py1,
  );
  await throughput("test:///default", 2000);

  if (!values["no-qemu"]) {
    const guest = await ensureTestGuest();
    const qemuIterations = Number(values["qemu-iterations"]);
    const qemuTemplate = buildDomainXml({
      virtType: "qemu",
      name: "@NAME@",
      uuid: "@UUID@",
      memoryKb: 64 * 1024,
      vcpus: 1,
      os: { type: "hvm", kernel: guest.kernelPath, initrd: guest.initrdPath, cmdline: guest.cmdline },
      features: ["acpi", "apic"],
      clock: { offset: "utc", timers: [] },
      onPoweroff: "destroy",
      onReboot: "restart",
      onCrash: "destroy",
      disks: [],
      interfaces: [],
      memballoon: { model: "none" },
    });
    const ts2 = await ours("qemu:///system", qemuIterations, qemuTemplate);
    const py2 = python("qemu:///system", qemuIterations, qemuTemplate, dir);
    report(
      `QEMU driver (qemu:///system, TCG), ${qemuIterations} cycles starting a real QEMU process`,
      ts2,
      py2,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
