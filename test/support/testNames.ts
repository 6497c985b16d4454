import { randomBytes } from "node:crypto";

/** Every database and stream a test run makes starts with this, so leftovers are easy to find. */
export const testPrefix = "jest_";

/**
 * A fresh namespace for one test file: its databases are `<id>_<service>`, its streams
 * `<ID>_<DOMAIN>`. The id carries its creation time, so a later run cleans up only what is old
 * enough to be a leftover, never what a concurrent run is using.
 */
export function newTestId(): string {
  return `${testPrefix}${Math.floor(Date.now() / 1000).toString(36)}_${randomBytes(3).toString("hex")}`;
}

/** Whether a name made from a test id belongs to a run that started more than `maxAgeMs` ago. */
export function isStale(name: string, maxAgeMs = 60 * 60 * 1000): boolean {
  const match = new RegExp(`^${testPrefix}([0-9a-z]+)_`, "i").exec(name);
  if (!match?.[1]) return true;
  return Date.now() - parseInt(match[1].toLowerCase(), 36) * 1000 > maxAgeMs;
}
