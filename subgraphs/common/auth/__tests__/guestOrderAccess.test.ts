import { guestOrderAccessProblem, issueGuestOrderAccessToken } from "../guestOrderAccess";
import { signRouterRequest } from "../routerCredential";

describe("a guest's order access token", () => {
  const keys = { secret: "s".repeat(32) };
  const orderId = "0b8e3f5c-5a4e-4a77-9c1e-2f7d0c1a9e11";
  const now = new Date(Date.UTC(2026, 11, 1, 12));
  const expiresAt = new Date(now.getTime() + 3_600_000);
  const token = issueGuestOrderAccessToken(keys, orderId, expiresAt);

  it("opens its order until it expires", () => {
    expect(token).toMatch(/^ga1\.\d+\.[\w-]{43}$/);
    expect(guestOrderAccessProblem(keys, token, orderId, now)).toBeNull();
    expect(guestOrderAccessProblem(keys, token, orderId, new Date(expiresAt.getTime() - 1_000))).toBeNull();
    expect(guestOrderAccessProblem(keys, token, orderId, expiresAt)).toBe("expired");
  });

  it("opens no other order, and cannot be made without the secret or stretched", () => {
    expect(guestOrderAccessProblem(keys, token, "another-order", now)).toBe("mismatch");
    const forged = issueGuestOrderAccessToken({ secret: "x".repeat(32) }, orderId, expiresAt);
    expect(guestOrderAccessProblem(keys, forged, orderId, now)).toBe("mismatch");
    const [, expiry, mac] = token.split(".");
    expect(guestOrderAccessProblem(keys, `ga1.${Number(expiry) + 86_400}.${mac}`, orderId, now)).toBe("mismatch");
    // The shared secret's other use never yields a token.
    const routerSignature = signRouterRequest(keys.secret, `${orderId}.${expiry}`);
    expect(guestOrderAccessProblem(keys, `ga1.${expiry}.${routerSignature}`, orderId, now)).toBe("malformed");
  });

  it("refuses what is not a token", () => {
    for (const given of ["", "ga1", `ga2.${token.slice(4)}`, `${token}x`, token.replace(/\.[\w-]+$/, ".short")])
      expect(guestOrderAccessProblem(keys, given, orderId, now)).toBe("malformed");
  });

  it("still opens its order under the previous secret while a new one rolls out", () => {
    const rolled = { secret: "n".repeat(32), previousSecret: keys.secret };
    expect(guestOrderAccessProblem(rolled, token, orderId, now)).toBeNull();
    expect(guestOrderAccessProblem({ secret: "n".repeat(32) }, token, orderId, now)).toBe("mismatch");
  });
});
