import type { IncomingMessage } from "node:http";
import proxyAddr from "proxy-addr";

/** Express's "trust proxy" value from TRUST_PROXY: `false`, `true`, a hop count, or a list of subnets. */
export function trustProxySetting(value: string): boolean | number | string {
  const trimmed = value.trim();
  if (trimmed === "false" || trimmed === "") return false;
  if (trimmed === "true") return true;
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  return trimmed;
}

/** Whether an address is a proxy to believe, the way Express decides it for TRUST_PROXY. */
export type TrustCheck = (address: string, hop: number) => boolean;

export function compileTrust(value: string): TrustCheck {
  const setting = trustProxySetting(value);
  if (setting === true) return () => true;
  if (setting === false) return () => false;
  if (typeof setting === "number") return (_address, hop) => hop < setting;
  return remembered(proxyAddr.compile(setting.split(",").map((each) => each.trim())));
}

/** Addresses whose answer is kept, at most (then forgotten all at once): the router's and clients'. */
const rememberedAddresses = 10_000;

/**
 * A subnet check that remembers its answer per address: proxy-addr parses the address at every
 * call (~5 µs for every request's client address under "loopback"), and the addresses a process
 * sees are few (the router's, the load balancer's, the clients' behind them). A subnet list
 * answers by the address alone, whatever the hop.
 */
function remembered(check: TrustCheck): TrustCheck {
  const answers = new Map<string, boolean>();
  return (address, hop) => {
    let answer = answers.get(address);
    if (answer === undefined) {
      answer = check(address, hop);
      if (answers.size >= rememberedAddresses) answers.clear();
      answers.set(address, answer);
    }
    return answer;
  };
}

/**
 * The client's address of a request Express does not see (a WebSocket upgrade), as Express
 * computes `req.ip`: the right-most address of the socket and X-Forwarded-For that no trusted
 * proxy wrote.
 */
export function clientAddressOf(req: IncomingMessage, trust: TrustCheck): string {
  return proxyAddr(req, trust);
}
