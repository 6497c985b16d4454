import type { Caller } from "../../common/auth/caller";
import { BadUserInputError, ForbiddenError } from "../../common/errors";
import { grantablePermissions, requireHoldsAll } from "../domain/staffGrants";

const staff = (permissions: Caller["permissions"], roles: Caller["roles"] = ["CUSTOMER"]): Caller => ({
  userId: "u",
  sessionId: "s",
  roles,
  permissions,
});

describe("what staff may grant", () => {
  it("is what they hold, without repeats, in the enum's order", () => {
    expect(
      grantablePermissions(staff(["STAFF", "CATALOG", "INVENTORY"]), ["INVENTORY", "CATALOG", "CATALOG"], "p"),
    ).toEqual(["CATALOG", "INVENTORY"]);
    expect(grantablePermissions(staff([], ["CUSTOMER", "ADMIN"]), ["AUDIT", "REFUNDS"], "p")).toEqual([
      "REFUNDS",
      "AUDIT",
    ]);
  });

  it("refuses a permission they lack with FORBIDDEN naming it, and an empty list as bad input", () => {
    expect(() => grantablePermissions(staff(["STAFF", "CATALOG"]), ["CATALOG", "REFUNDS"], "p")).toThrow(
      new ForbiddenError("You cannot grant permissions you do not hold: REFUNDS."),
    );
    expect(() => grantablePermissions(staff(["STAFF"]), [], "permissions")).toThrow(BadUserInputError);
    expect(() => requireHoldsAll(staff(["STAFF"]), ["ORDERS"], "this role")).toThrow(ForbiddenError);
    expect(() => requireHoldsAll(staff(["STAFF", "ORDERS"]), ["ORDERS"], "this role")).not.toThrow();
  });
});
