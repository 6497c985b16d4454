import { routerSignatureProblem, signRouterRequest } from "../routerCredential";
import { compileTrust } from "../trustProxy";
import { runtimeEnvironment } from "../../environment";

describe("the router credential", () => {
  const settings = { secret: "s".repeat(32), maxAgeSeconds: 60 };
  const body = JSON.stringify({ query: "{ __typename }" });
  const now = Date.UTC(2026, 10, 30, 12);

  it("accepts the body it signed, within the time allowed", () => {
    expect(
      routerSignatureProblem(settings, signRouterRequest(settings.secret, body, now), body, now + 59_000),
    ).toBeNull();
  });

  it("refuses a missing, malformed, stale or foreign signature, or another body", () => {
    const signed = signRouterRequest(settings.secret, body, now);
    expect(routerSignatureProblem(settings, undefined, body, now)).toBe("missing");
    expect(routerSignatureProblem(settings, "t=1,v1=zz", body, now)).toBe("malformed");
    expect(routerSignatureProblem(settings, signed, body, now + 61_000)).toBe("expired");
    expect(routerSignatureProblem(settings, signed, body, now - 61_000)).toBe("expired");
    expect(routerSignatureProblem(settings, signRouterRequest("x".repeat(32), body, now), body, now)).toBe("mismatch");
    expect(routerSignatureProblem(settings, signed, body.replace("__typename", "me { id }"), now)).toBe("mismatch");
  });

  it("accepts the previous secret while a new one rolls out", () => {
    const rolling = { ...settings, secret: "n".repeat(32), previousSecret: settings.secret };
    expect(routerSignatureProblem(rolling, signRouterRequest(settings.secret, body, now), body, now)).toBeNull();
  });
});

describe("TRUST_PROXY", () => {
  it("trusts only loopback by default: a private-network client cannot state its address", () => {
    const trust = compileTrust(runtimeEnvironment.parse({}).TRUST_PROXY);
    expect(trust("127.0.0.1", 0)).toBe(true);
    expect(trust("::1", 0)).toBe(true);
    for (const address of ["10.0.0.7", "192.168.1.20", "172.16.4.2", "169.254.1.1", "203.0.113.9"])
      expect({ address, trusted: trust(address, 0) }).toEqual({ address, trusted: false });
  });

  it("takes a hop count or false as Express does", () => {
    expect(compileTrust("1")("203.0.113.9", 0)).toBe(true);
    expect(compileTrust("1")("203.0.113.9", 1)).toBe(false);
    expect(compileTrust("false")("127.0.0.1", 0)).toBe(false);
  });
});
