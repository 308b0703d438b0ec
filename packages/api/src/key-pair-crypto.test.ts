import { createPrivateKey, createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { InvalidKeyPairError } from "./errors/invalid-key-pair.js";
import { generateKeyPair, keyPairFingerprint } from "./key-pair-crypto.js";

const fixture = (name: string) =>
  readFileSync(new URL(`./__fixtures__/key-pairs/${name}`, import.meta.url), "utf8");

describe("key pair fingerprints as Nova computes them", () => {
  // Expected values from `ssh-keygen -l -E md5` and `openssl x509 -fingerprint -sha1` over the same files.
  it.each([
    ["rsa.pub", "29:6e:b6:42:46:5b:8c:b9:14:2c:9d:6e:4a:be:a6:58"],
    ["ed25519.pub", "f4:5f:07:07:cb:55:a8:e1:f7:0f:a8:38:fb:65:1a:96"],
    ["ecdsa.pub", "6d:84:9e:45:77:7e:e3:75:f3:50:b0:c1:b1:ad:a0:7c"],
  ])("ssh %s: MD5 of the key blob in colon hex", (file, expected) => {
    expect(keyPairFingerprint(fixture(file), "ssh")).toBe(expected);
  });

  it("x509: SHA-1 of the certificate, lower case", () => {
    expect(keyPairFingerprint(fixture("cert.pem"), "x509")).toBe(
      "a7:4c:2d:ef:8d:70:6c:31:e8:bf:71:1a:77:eb:3a:ac:13:fb:7e:02",
    );
  });

  it.each([
    ["not a key", "garbage"],
    ["a truncated blob", fixture("rsa.pub").replace(/AAAA(\S{20})\S+/, "AAAA$1")],
    ["a type the blob does not name", fixture("ed25519.pub").replace("ssh-ed25519", "ssh-rsa")],
    ["an unknown type", "ssh-foo AAAAB3NzaC1yc2E="],
  ])("refuses %s with Nova's InvalidKeypair reason", (_what, key) => {
    let error: unknown;
    try {
      keyPairFingerprint(key, "ssh");
    } catch (e) {
      error = e;
    }
    expect(InvalidKeyPairError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe("Keypair data is invalid: failed to generate fingerprint");
  });

  it("refuses a certificate that does not parse", () => {
    expect(() => keyPairFingerprint(fixture("rsa.pub"), "x509")).toThrow(
      /^Keypair data is invalid: failed to generate X509 fingerprint\. Error message: /,
    );
  });
});

describe("generated key pairs", () => {
  it("ssh: a 2048-bit RSA key whose public half is the ssh-rsa line, with its fingerprint", async () => {
    const key = await generateKeyPair("ssh", "alice");
    expect(key.privateKey).toMatch(
      /^-----BEGIN RSA PRIVATE KEY-----\n[\s\S]+\n-----END RSA PRIVATE KEY-----\n$/,
    );
    expect(key.publicKey).toMatch(/^ssh-rsa AAAAB3NzaC1yc2E\S+ Generated-by-Nova$/);
    expect(key.fingerprint).toBe(keyPairFingerprint(key.publicKey, "ssh"));
    // The public line carries the private key's modulus and exponent.
    const jwk = createPublicKey(createPrivateKey(key.privateKey)).export({ format: "jwk" });
    const blob = Buffer.from(key.publicKey.split(" ")[1]!, "base64");
    const n = Buffer.from(jwk.n!, "base64url");
    expect(n.length * 8).toBe(2048);
    expect(blob.includes(n)).toBe(true);
    expect(blob.subarray(-n.length).equals(n)).toBe(true);
  });

  it("x509: a certificate for the user and its PKCS#12 bundle", async () => {
    const key = await generateKeyPair("x509", "alice");
    expect(key.publicKey).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(key.fingerprint).toBe(keyPairFingerprint(key.publicKey, "x509"));
    const { X509Certificate } = await import("node:crypto");
    expect(new X509Certificate(key.publicKey).subject).toBe("CN=alice");
    expect(Buffer.from(key.privateKey, "base64")[0]).toBe(0x30);
  });
});
