import type { IncomingMessage } from "node:http";
import { clientAddressOf, compileTrust } from "../trustProxy";

const request = (remoteAddress: string, forwardedFor?: string) =>
  ({
    socket: { remoteAddress },
    connection: { remoteAddress },
    headers: forwardedFor ? { "x-forwarded-for": forwardedFor } : {},
  }) as unknown as IncomingMessage;

describe("TRUST_PROXY as a list of subnets", () => {
  it("answers the same for an address however often it is asked (answers are remembered)", () => {
    const trust = compileTrust("loopback, 10.0.0.0/8");
    for (let round = 0; round < 3; round += 1) {
      expect(trust("127.0.0.1", 0)).toBe(true);
      expect(trust("::1", 1)).toBe(true);
      expect(trust("10.9.8.7", 2)).toBe(true);
      expect(trust("203.0.113.9", 0)).toBe(false);
      expect(trust("192.168.1.1", 3)).toBe(false);
    }
  });

  it("finds the client behind trusted proxies, as Express does, on every request alike", () => {
    const trust = compileTrust("loopback");
    for (let round = 0; round < 3; round += 1) {
      expect(clientAddressOf(request("127.0.0.1", "203.0.113.9, 127.0.0.1"), trust)).toBe("203.0.113.9");
      // A client cannot pass itself off as another by writing X-Forwarded-For: only trusted hops are skipped.
      expect(clientAddressOf(request("127.0.0.1", "198.51.100.1, 203.0.113.9"), trust)).toBe("203.0.113.9");
      expect(clientAddressOf(request("198.51.100.7", "203.0.113.9"), trust)).toBe("198.51.100.7");
    }
  });

  it("keeps hop counts and true/false as they are", () => {
    const two = compileTrust("2");
    expect([two("203.0.113.9", 0), two("203.0.113.9", 1), two("203.0.113.9", 2)]).toEqual([true, true, false]);
    expect(compileTrust("true")("203.0.113.9", 5)).toBe(true);
    expect(compileTrust("false")("127.0.0.1", 0)).toBe(false);
  });
});
