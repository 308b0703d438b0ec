import { f } from "../wire/fields.js";
import { defineObject, defineObjectList, type ObjectOf } from "../wire/object-codec.js";
import { persistentFields } from "./persistent-fields.js";

/** KeyPair 1.4. */
export const KeyPairCodec = defineObject("KeyPair", "1.4", {
  id: f.int(),
  name: f.string(),
  user_id: f.nullable(f.string()),
  fingerprint: f.nullable(f.string()),
  public_key: f.nullable(f.string()),
  type: f.enumOf(["ssh", "x509"]),
  ...persistentFields,
});

/** A user's SSH or x509 key pair. */
export type KeyPair = ObjectOf<typeof KeyPairCodec.fields>;

/** KeyPairList 1.3. */
export const KeyPairListCodec = defineObjectList("KeyPairList", "1.3", KeyPairCodec);
