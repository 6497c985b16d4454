import { randomBytes } from "node:crypto";

/** Every database and stream a test run makes starts with this, so leftovers are easy to find. */
export const testPrefix = "jest_";

/** A fresh namespace for one test file: its databases are `<id>_<service>`, its streams `<ID>_<DOMAIN>`. */
export function newTestId(): string {
  return `${testPrefix}${randomBytes(4).toString("hex")}`;
}
