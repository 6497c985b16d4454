import { ForbiddenError, UnauthenticatedError } from "../../errors";
import type { Caller } from "../caller";
import { requirePermission } from "../guards";
import { hasPermission, permissions } from "../permissions";

const caller = (over: Partial<Caller>): Caller => ({ userId: "u", sessionId: "s", roles: ["CUSTOMER"], ...over });

describe("back-office permissions", () => {
  it("are all held by an ADMIN", () => {
    for (const permission of permissions)
      expect(hasPermission(caller({ roles: ["CUSTOMER", "ADMIN"] }), permission)).toBe(true);
  });

  it("are held one by one when granted, and not otherwise", () => {
    const catalogManager = caller({ permissions: ["CATALOG", "INVENTORY"] });
    expect(permissions.filter((permission) => hasPermission(catalogManager, permission))).toEqual([
      "CATALOG",
      "INVENTORY",
    ]);
    expect(permissions.filter((permission) => hasPermission(caller({}), permission))).toEqual([]);
    expect(hasPermission(null, "CATALOG")).toBe(false);
  });

  it("are required with FORBIDDEN naming the permission, and UNAUTHENTICATED without a caller", () => {
    expect(() => requirePermission(caller({ permissions: ["CATALOG"] }), "REFUNDS")).toThrow(
      new ForbiddenError("This needs the REFUNDS permission."),
    );
    expect(() => requirePermission(null, "REFUNDS")).toThrow(UnauthenticatedError);
    expect(requirePermission(caller({ permissions: ["REFUNDS"] }), "REFUNDS").userId).toBe("u");
  });
});
