import type { Caller } from "../../auth/caller";
import { auditActorOf } from "../recordAudit";

const keyId = "7d0c2f4e-4b1a-4c36-9d8e-0b7f3c2a1e55";
const userId = "1f9e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f";

describe("the actor of an audit entry", () => {
  it("is the API key, by its id, for a caller that is a key", () => {
    // The key's caller carries its id as userId too (rate limits); the entry must still say API_KEY.
    const key: Caller = {
      userId: keyId,
      sessionId: keyId,
      roles: [],
      permissions: ["INVENTORY"],
      apiKey: { id: keyId, requestsPerMinute: 60 },
    };
    expect(auditActorOf(key)).toEqual({ kind: "API_KEY", id: keyId });
  });

  it("is the signed-in user for an access token, and the system without a caller", () => {
    expect(auditActorOf({ userId, sessionId: keyId, roles: ["CUSTOMER", "ADMIN"] })).toEqual({
      kind: "USER",
      id: userId,
    });
    expect(auditActorOf(null)).toEqual({ kind: "SYSTEM", id: null });
    expect(auditActorOf(undefined)).toEqual({ kind: "SYSTEM", id: null });
  });
});
