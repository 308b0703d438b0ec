import { f } from "../wire/fields.js";

/** NovaPersistentObject's fields: timestamps and the soft-delete flag. */
export const persistentFields = {
  created_at: f.nullable(f.dateTime()),
  updated_at: f.nullable(f.dateTime()),
  deleted_at: f.nullable(f.dateTime()),
  deleted: f.bool(),
};

/** NovaTimestampObject's fields (API database objects, which are hard-deleted). */
export const timestampFields = {
  created_at: f.nullable(f.dateTime()),
  updated_at: f.nullable(f.dateTime()),
};
