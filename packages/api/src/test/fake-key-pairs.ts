import type { Clock } from "@nova/core";
import { DEFAULT_QUOTAS } from "@nova/objects";
import { KeyPairExistsError } from "../errors/key-pair-exists.js";
import { KeyPairNotFoundError } from "../errors/key-pair-not-found.js";
import { MarkerNotFoundError } from "../errors/marker-not-found.js";
import { QuotaExceededError } from "../errors/quota-exceeded.js";
import { generateKeyPair, keyPairFingerprint } from "../key-pair-crypto.js";
import type { CreatedKeyPair, KeyPairCreateSpec, KeyPairPage, KeyPairRecord } from "../key-pair-record.js";

/** Key pairs of the fake backend, in memory, with Nova's per-user `key_pairs` quota. */
export class FakeKeyPairs {
  /** The per-user limit (Nova's default 100; -1 unlimited); tests may change it. */
  limit = DEFAULT_QUOTAS.key_pairs;
  private readonly byUser = new Map<string, Map<string, KeyPairRecord>>();
  private nextId = 0;

  constructor(private readonly clock: Clock) {}

  /** Quota first, then the key (generated or checked), then the name: Nova's order. */
  async create(spec: KeyPairCreateSpec): Promise<CreatedKeyPair> {
    const mine = this.user(spec.userId);
    if (this.limit >= 0 && mine.size + 1 > this.limit) {
      throw new QuotaExceededError("Quota exceeded, too many key pairs.");
    }
    const generated = spec.publicKey === null ? await generateKeyPair(spec.type, spec.userId) : null;
    const publicKey = generated?.publicKey ?? spec.publicKey!;
    const fingerprint = generated?.fingerprint ?? keyPairFingerprint(publicKey, spec.type);
    if (mine.has(spec.name)) throw new KeyPairExistsError(spec.name);
    const keyPair: KeyPairRecord = {
      id: ++this.nextId,
      name: spec.name,
      userId: spec.userId,
      type: spec.type,
      publicKey,
      fingerprint,
      createdAt: new Date(this.clock.now()),
      updatedAt: null,
    };
    mine.set(spec.name, keyPair);
    return { keyPair: { ...keyPair }, privateKey: generated?.privateKey ?? null };
  }

  /** A user's key pairs by name, after the marker. */
  list(userId: string, page: KeyPairPage): KeyPairRecord[] {
    const mine = this.user(userId);
    if (page.marker !== undefined && !mine.has(page.marker)) throw new MarkerNotFoundError(page.marker);
    const sorted = [...mine.values()]
      .filter((k) => page.marker === undefined || k.name > page.marker)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return (page.limit !== undefined ? sorted.slice(0, page.limit) : sorted).map((k) => ({ ...k }));
  }

  /** One key pair. */
  get(userId: string, name: string): KeyPairRecord {
    const found = this.user(userId).get(name);
    if (!found) throw new KeyPairNotFoundError(userId, name);
    return { ...found };
  }

  /** Deletes one key pair. */
  delete(userId: string, name: string): void {
    if (!this.user(userId).delete(name)) throw new KeyPairNotFoundError(userId, name);
  }

  private user(userId: string): Map<string, KeyPairRecord> {
    let mine = this.byUser.get(userId);
    if (!mine) {
      mine = new Map();
      this.byUser.set(userId, mine);
    }
    return mine;
  }
}
