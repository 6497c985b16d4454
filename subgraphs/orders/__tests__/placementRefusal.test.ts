import { refusalOf } from "../store/checkoutSql";

/**
 * A refused one-statement placement raises `orders_refuse_placement`'s error (SQLSTATE OR001,
 * the refusal as JSON in DETAIL); the shapes below are those pg and Prisma 6's driver adapter give.
 */
describe("refusalOf", () => {
  const detail = JSON.stringify({ refusal: "UNITS_HELD", orders: 2, units: 7 });
  const refused = { refusal: "UNITS_HELD", heldOrders: 2, heldUnits: 7 };

  it("reads pg's error: its code and detail", () => {
    expect(refusalOf({ code: "OR001", severity: "ERROR", message: "placement refused: UNITS_HELD", detail })).toEqual(
      refused,
    );
  });

  it("reads Prisma's raw query error: the driver adapter error's cause", () => {
    const cause = { originalCode: "OR001", kind: "postgres", code: "OR001", message: "placement refused", detail };
    const prismaError = {
      code: "P2010",
      message: "Raw query failed. Code: `OR001`. Message: `placement refused: UNITS_HELD`",
      meta: { driverAdapterError: { name: "DriverAdapterError", cause } },
    };
    expect(refusalOf(prismaError)).toEqual(refused);
  });

  it("leaves any other error alone", () => {
    expect(refusalOf({ code: "23505", detail })).toBeNull();
    expect(
      refusalOf({ code: "OR001", detail: JSON.stringify({ refusal: "SOMETHING_ELSE", orders: 0, units: 0 }) }),
    ).toBeNull();
    expect(refusalOf({ code: "P2010", meta: { driverAdapterError: { cause: { code: "40P01", detail } } } })).toBeNull();
    expect(refusalOf(new Error("placement refused:ORDERS_HELD:1:2"))).toBeNull();
    expect(refusalOf(undefined)).toBeNull();
  });
});
