import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

export interface AccountEmailThrottleSettings {
  maxPerEmail: number;
  maxPerAddress: number;
  windowSeconds: number;
}

/** Whether an account email (a reset, verification or email-change link) may go out now. */
export type AccountEmailAllowance =
  | { allowed: true }
  /** The client address asked for too many: the caller is told to wait. */
  | { allowed: false; limitedBy: "address"; retryAfterSeconds: number }
  /** That email has had enough for now; an anonymous caller is not told (no enumeration). */
  | { allowed: false; limitedBy: "email"; retryAfterSeconds: number };

/**
 * Atomically, in fixed windows: refuses when the address has reached its limit (counting
 * nothing); otherwise counts the request against the address, then refuses when the email has
 * reached its limit, or counts it against the email too. An address that keeps asking for one
 * email so runs into its own limit. KEYS: email counter, address counter. ARGV: email limit,
 * address limit, window seconds. Returns { 0 | 1 (address) | 2 (email), seconds to wait }.
 */
const takeScript = `
local window = tonumber(ARGV[3])
local function wait(key)
  local ttl = redis.call('TTL', key)
  if ttl < 0 then return window end
  return ttl
end
local function count(key)
  redis.call('INCR', key)
  if redis.call('TTL', key) < 0 then redis.call('EXPIRE', key, window) end
end
if tonumber(redis.call('GET', KEYS[2]) or '0') >= tonumber(ARGV[2]) then return { 1, wait(KEYS[2]) } end
count(KEYS[2])
if tonumber(redis.call('GET', KEYS[1]) or '0') >= tonumber(ARGV[1]) then return { 2, wait(KEYS[1]) } end
count(KEYS[1])
return { 0, 0 }
`;

/**
 * Limits the emails with a link that the users service has sent, per email address and per
 * client address, in Redis (shared by every replica): nobody can make it mail one person over and
 * over, nor one client mail many. Unknown emails are counted like known ones, so the limits say
 * nothing about which emails have accounts.
 */
export class AccountEmailThrottle {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly settings: AccountEmailThrottleSettings,
  ) {}

  // Emails are hashed so Redis holds no personal data.
  private emailKey(email: string): string {
    return `${this.keyPrefix}account-emails:email:${createHash("sha256").update(email).digest("hex")}`;
  }

  private addressKey(address: string): string {
    return `${this.keyPrefix}account-emails:address:${address}`;
  }

  /** Counts one account email to `email` asked for from `address`, when both are under their limit. */
  async take(email: string, address: string): Promise<AccountEmailAllowance> {
    const { maxPerEmail, maxPerAddress, windowSeconds } = this.settings;
    const [outcome, wait] = (await this.redis.eval(
      takeScript,
      2,
      this.emailKey(email),
      this.addressKey(address),
      maxPerEmail,
      maxPerAddress,
      windowSeconds,
    )) as [number, number];
    if (outcome === 0) return { allowed: true };
    return { allowed: false, limitedBy: outcome === 1 ? "address" : "email", retryAfterSeconds: Math.max(1, wait) };
  }
}
