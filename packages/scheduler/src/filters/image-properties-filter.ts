import { NovaError } from "@nova/core";
import type { HostState } from "../host-state.js";
import { PythonSemanticsError } from "../python-semantics.js";
import { type HostFilter, PASSES_ALL } from "./host-filter.js";

const ARCHITECTURES = new Set(
  "alpha armv6 armv7l armv7b aarch64 cris i686 ia64 lm32 m68k microblaze microblazeel mips mipsel mips64 mips64el openrisc parisc parisc64 ppc ppcle ppc64 ppc64le ppcemb s390 s390x sh4 sh4eb sparc sparc64 unicore32 x86_64 xtensa xtensaeb".split(
    " ",
  ),
);
const HV_TYPES = new Set(
  "baremetal bhyve docker fake hyperv ironic kqemu kvm lxc lxd openvz parallels phyp qemu test uml vbox vz vmware xen zvm prsm".split(
    " ",
  ),
);
const VM_MODES = new Set(["hvm", "xen", "uml", "exe"]);

/** Invalid image metadata (Nova raises InvalidArchitectureName and friends). */
export class InvalidImagePropertyError extends NovaError {
  /** Builds the error naming the image property and its invalid value. */
  constructor(message: string) {
    super("SCHEDULER_INVALID_IMAGE_PROPERTY", message);
  }
}

function canonicalArch(name: string | null): string | null {
  if (name === null) return null;
  let n = name.toLowerCase();
  if (["i386", "i486", "i586", "x86_32", "x86_32p"].includes(n)) n = "i686";
  if (n === "amd64") n = "x86_64";
  if (!ARCHITECTURES.has(n)) throw new InvalidImagePropertyError(`invalid architecture name ${name}`);
  return n;
}

function canonicalHvType(name: string | null): string | null {
  if (name === null) return null;
  let n = name.toLowerCase();
  if (n === "xapi") n = "xen";
  if (!HV_TYPES.has(n)) throw new InvalidImagePropertyError(`invalid hypervisor type ${name}`);
  return n;
}

function canonicalVmMode(name: string | null): string | null {
  if (name === null) return null;
  let n = name.toLowerCase();
  if (n === "pv") n = "xen";
  if (n === "hv" || n === "baremetal") n = "hvm";
  if (!VM_MODES.has(n)) throw new InvalidImagePropertyError(`invalid vm mode ${name}`);
  return n;
}

type StrictVersion = { v: [number, number, number]; pre: [string, number] | null };

// distutils.version.StrictVersion
function strictVersion(s: string): StrictVersion {
  const m = /^(\d+)\.(\d+)(\.(\d+))?([ab](\d+))?$/.exec(s);
  if (!m) throw new PythonSemanticsError(`invalid version number '${s}'`);
  const pre = m[5] ? ([m[5][0]!, Number(m[6])] as [string, number]) : null;
  return { v: [Number(m[1]), Number(m[2]), m[4] ? Number(m[4]) : 0], pre };
}

function cmpVersion(a: StrictVersion, b: StrictVersion): number {
  for (let i = 0; i < 3; i++) if (a.v[i] !== b.v[i]) return a.v[i]! < b.v[i]! ? -1 : 1;
  if (!a.pre && !b.pre) return 0;
  if (a.pre && !b.pre) return -1;
  if (!a.pre && b.pre) return 1;
  const [x, y] = [a.pre!, b.pre!];
  if (x[0] !== y[0]) return x[0] < y[0] ? -1 : 1;
  return x[1] === y[1] ? 0 : x[1] < y[1] ? -1 : 1;
}

const COMPARE: Record<string, (c: number) => boolean> = {
  "<": (c) => c < 0,
  "<=": (c) => c <= 0,
  ">": (c) => c > 0,
  ">=": (c) => c >= 0,
  "==": (c) => c === 0,
  "!=": (c) => c !== 0,
};

/** distutils VersionPredicate("image_prop (<required>)") as a test on a version string. */
function versionPredicate(required: string): (version: string) => boolean {
  const paren = /^\s*\((.*)\)\s*$/s.exec(`(${required})`.trim());
  if (!paren) throw new PythonSemanticsError(`expected parenthesized list: ${required}`);
  const preds = paren[1]!.split(",").map((p) => {
    const m = /^\s*(<=|>=|<|>|!=|==)\s*([^\s,]+)\s*$/.exec(p);
    if (!m) throw new PythonSemanticsError(`bad package restriction syntax: '${p}'`);
    return { test: COMPARE[m[1]!]!, ver: strictVersion(m[2]!) };
  });
  return (version) => {
    const v = strictVersion(version);
    return preds.every((p) => p.test(cmpVersion(v, p.ver)));
  };
}

/** oslo.utils convert_version_to_str: 7002000 -> "7.2.0". */
function versionToString(n: number): string {
  const parts: string[] = [];
  let v = n;
  while (v !== 0) {
    parts.unshift(String(v - Math.floor(v / 1000) * 1000));
    v = Math.floor(v / 1000);
  }
  return parts.join(".");
}

/** ImagePropertiesFilter: the image's architecture, hypervisor type, vm mode and hypervisor version. */
export const imagePropertiesFilter: HostFilter = {
  name: "ImagePropertiesFilter",
  runFilterOncePerRequest: true,
  runOnRebuild: true,
  verdictStableWithinRequest: true,
  prepare(req) {
    const props = req.spec.image?.properties ?? {};
    const str = (k: string): string | null => (props[k] === undefined ? null : String(props[k]));
    const arch =
      props.hw_architecture !== undefined
        ? str("hw_architecture")
        : req.config.image_properties_default_architecture;
    const checked = [
      canonicalArch(arch),
      canonicalHvType(str("img_hv_type")),
      canonicalVmMode(str("hw_vm_mode")),
    ];
    if (!checked.some((x) => x)) return PASSES_ALL;
    const required = str("img_hv_requested_version");
    const predicate = required ? versionPredicate(required) : null;
    // Hosts share few distinct (supported_instances, hypervisor_version) pairs: answer each pair once.
    const memo: Array<boolean | undefined> = [];
    const check = (h: HostState): boolean => {
      const supported = h.supported_instances;
      if (supported.length === 0) return false;
      const key = h.imageSupportId;
      let ok = memo[key];
      if (ok === undefined) {
        ok = supported.some(
          (s) =>
            checked.every((p) => !p || s.includes(p)) &&
            (!(h.hypervisor_version && predicate) || predicate(versionToString(h.hypervisor_version))),
        );
        memo[key] = ok;
      }
      return ok;
    };
    return {
      byImageSupport: true,
      passes: check,
      reason: (h) =>
        h.supported_instances.length === 0
          ? "host advertises no supported_instances"
          : `image needs ${checked.map((x) => x ?? "*").join("/")}${required ? ` hypervisor ${required}` : ""}; host supports ${h.supported_instances.map((s) => s.join("/")).join(", ")} at version ${h.hypervisor_version === null ? "?" : versionToString(h.hypervisor_version)}`,
    };
  },
};
