import { MessagingError } from "../errors/messaging-error.js";

function parts(version: string): [number, number, number] {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(version);
  if (!m) {
    throw new MessagingError(
      "MESSAGING_INVALID_VERSION",
      `Version must contain a major and minor integer. Got ${version}`,
    );
  }
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

/** Throws unless `version` is `X.Y` or `X.Y.Z`. */
export function checkVersion(version: string): void {
  parts(version);
}

/**
 * oslo's `version_is_compatible`: an implementation (or cap) at `implemented` serves `requested` when the majors
 * match and its minor (then revision) is not lower. No implemented version means anything goes.
 */
export function isVersionCompatible(implemented: string | undefined, requested: string | undefined): boolean {
  if (implemented === undefined) return true;
  if (requested === undefined) return false;
  const [rMaj, rMin, rRev] = parts(requested);
  const [iMaj, iMin, iRev] = parts(implemented);
  if (rMaj !== iMaj) return false;
  if (rMin > iMin) return false;
  if (rMin === iMin && rRev > iRev) return false;
  return true;
}
