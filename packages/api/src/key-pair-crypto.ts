import { execFile } from "node:child_process";
import { createHash, createPublicKey, generateKeyPair as generateRsa, X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { InvalidKeyPairError } from "./errors/invalid-key-pair.js";

/** A key pair's type (Nova's `KEYPAIR_TYPE_SSH`, `KEYPAIR_TYPE_X509`). */
export type KeyPairType = "ssh" | "x509";

/** A generated key pair as Nova's `crypto.generate_key_pair` (ssh) or `generate_winrm_x509_cert` returns it. */
export interface GeneratedKeyPair {
  /** ssh: PKCS#1 PEM (`-----BEGIN RSA PRIVATE KEY-----`) as paramiko writes it; x509: base64 PKCS#12. */
  privateKey: string;
  /** ssh: `ssh-rsa <base64> Generated-by-Nova`; x509: the PEM certificate. */
  publicKey: string;
  /** ssh: MD5 of the key blob, x509: SHA-1 of the certificate, in colon hex. */
  fingerprint: string;
}

const generateRsaAsync = promisify(generateRsa);
const execFileAsync = promisify(execFile);

/** Generates a key pair of `type` for `userId` (x509 certificates name the user, as Nova's do). */
export function generateKeyPair(type: KeyPairType, userId: string): Promise<GeneratedKeyPair> {
  return type === "x509" ? generateX509KeyPair(userId) : generateSshKeyPair();
}

/**
 * A WinRM client certificate as Nova makes it, with the `openssl` command: self-signed, CN=<user>, client
 * auth, the UPN `<user>@localhost`; the private key is the PKCS#12 bundle (empty password) in base64.
 */
export async function generateX509KeyPair(userId: string): Promise<GeneratedKeyPair> {
  const dir = await mkdtemp(join(tmpdir(), "nova-x509-"));
  try {
    const keyFile = join(dir, "temp.key");
    const confFile = join(dir, "temp.conf");
    const certFile = join(dir, "temp.pem");
    await writeFile(
      confFile,
      "distinguished_name  = req_distinguished_name\n[req_distinguished_name]\n[v3_req_client]\n" +
        `extendedKeyUsage = clientAuth\nsubjectAltName = otherName:1.3.6.1.4.1.311.20.2.3;UTF8:${userId}@localhost\n`,
    );
    // execFile passes arguments as they are: a user id is never read by a shell.
    await execFileAsync("openssl", [
      "req",
      "-x509",
      "-nodes",
      "-days",
      "3650",
      "-config",
      confFile,
      "-newkey",
      "rsa:2048",
      "-outform",
      "PEM",
      "-keyout",
      keyFile,
      "-out",
      certFile,
      "-subj",
      `/CN=${userId}`,
      "-extensions",
      "v3_req_client",
    ]);
    const { stdout } = await execFileAsync(
      "openssl",
      ["pkcs12", "-export", "-inkey", keyFile, "-in", certFile, "-password", "pass:"],
      { encoding: "buffer" },
    );
    const certificate = await readFile(certFile, "utf8");
    return {
      privateKey: stdout.toString("base64"),
      publicKey: certificate,
      fingerprint: keyPairFingerprint(certificate, "x509"),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Generates a 2048-bit RSA key as Nova does (paramiko's RSAKey.generate) for an `ssh` key pair. */
export async function generateSshKeyPair(): Promise<GeneratedKeyPair> {
  const { publicKey, privateKey } = await generateRsaAsync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "der" },
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
  });
  const jwk = createPublicKey({ key: publicKey, format: "der", type: "spki" }).export({ format: "jwk" });
  const blob = Buffer.concat([
    sshString(Buffer.from("ssh-rsa")),
    sshString(mpint(Buffer.from(jwk.e!, "base64url"))),
    sshString(mpint(Buffer.from(jwk.n!, "base64url"))),
  ]);
  return {
    privateKey,
    publicKey: `ssh-rsa ${blob.toString("base64")} Generated-by-Nova`,
    fingerprint: colonHex(createHash("md5").update(blob).digest()),
  };
}

/**
 * The fingerprint Nova stores for an imported key: for `ssh`, MD5 of the key blob in colon hex once the key
 * parses as OpenSSH's one-line form (`crypto.generate_fingerprint`); for `x509`, SHA-1 of the PEM
 * certificate in lower-case colon hex. InvalidKeyPairError with Nova's reason otherwise.
 */
export function keyPairFingerprint(publicKey: string, type: KeyPairType): string {
  if (type === "x509") {
    try {
      return new X509Certificate(publicKey).fingerprint.toLowerCase();
    } catch (err) {
      throw new InvalidKeyPairError(
        `failed to generate X509 fingerprint. Error message: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  if (!isSshPublicKey(publicKey)) throw new InvalidKeyPairError("failed to generate fingerprint");
  // Nova hashes the second space-separated field, decoded leniently (its check above already passed).
  const blob = Buffer.from(publicKey.split(" ")[1] ?? "", "base64");
  return colonHex(createHash("md5").update(blob).digest());
}

// What pyca/cryptography's load_ssh_public_key accepts: `<type> <base64 blob> [comment]`, the blob naming
// the same type and holding exactly that type's fields.
const SSH_KEY_FIELDS: Record<string, (r: SshReader) => void> = {
  "ssh-rsa": (r) => {
    const e = r.mpint();
    const n = r.mpint();
    if (!isOdd(e) || !isOdd(n) || e.length === 0) throw new Error("invalid RSA numbers");
  },
  "ssh-dss": (r) => {
    for (let i = 0; i < 4; i++) r.mpint();
  },
  "ssh-ed25519": (r) => {
    if (r.string().length !== 32) throw new Error("invalid Ed25519 key");
  },
  "ecdsa-sha2-nistp256": (r) => ecdsa(r, "nistp256", 65),
  "ecdsa-sha2-nistp384": (r) => ecdsa(r, "nistp384", 97),
  "ecdsa-sha2-nistp521": (r) => ecdsa(r, "nistp521", 133),
};

function ecdsa(r: SshReader, curve: string, pointLength: number): void {
  if (r.string().toString("latin1") !== curve) throw new Error("curve mismatch");
  const point = r.string();
  // Uncompressed (0x04 || x || y) or compressed (0x02/0x03 || x) points.
  const compressed = (pointLength - 1) / 2 + 1;
  if (
    !(point[0] === 4 && point.length === pointLength) &&
    !(point.length === compressed && (point[0] === 2 || point[0] === 3))
  )
    throw new Error("invalid EC point");
}

function isSshPublicKey(text: string): boolean {
  const match = /^(\S+)[ \t]+(\S+)/.exec(text);
  if (!match) return false;
  const [, type, data] = match as unknown as [string, string, string];
  const fields = SSH_KEY_FIELDS[type];
  if (!fields || !/^[A-Za-z0-9+/]+={0,2}$/.test(data) || data.length % 4 !== 0) return false;
  try {
    const reader = new SshReader(Buffer.from(data, "base64"));
    if (reader.string().toString("latin1") !== type) return false;
    fields(reader);
    return reader.done();
  } catch {
    return false;
  }
}

/** Reads the RFC 4251 `string` and `mpint` fields of an SSH key blob. */
class SshReader {
  private offset = 0;
  constructor(private readonly buf: Buffer) {}

  string(): Buffer {
    if (this.offset + 4 > this.buf.length) throw new Error("truncated");
    const length = this.buf.readUInt32BE(this.offset);
    const start = this.offset + 4;
    if (start + length > this.buf.length) throw new Error("truncated");
    this.offset = start + length;
    return this.buf.subarray(start, start + length);
  }

  mpint(): Buffer {
    const value = this.string();
    if (value.length > 0 && (value[0]! & 0x80) !== 0) throw new Error("negative mpint");
    return value;
  }

  done(): boolean {
    return this.offset === this.buf.length;
  }
}

function isOdd(mpint: Buffer): boolean {
  return mpint.length > 0 && (mpint[mpint.length - 1]! & 1) === 1;
}

function sshString(value: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(value.length);
  return Buffer.concat([length, value]);
}

/** An unsigned big-endian integer as an SSH mpint: no leading zeros, one zero byte before a high bit. */
function mpint(value: Buffer): Buffer {
  let start = 0;
  while (start < value.length - 1 && value[start] === 0) start++;
  const trimmed = value.subarray(start);
  return (trimmed[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed;
}

function colonHex(digest: Buffer): string {
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join(":");
}
