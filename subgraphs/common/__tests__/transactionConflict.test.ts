import { isTransactionConflict } from "../events/unitOfWork";

describe("isTransactionConflict: which failures a unit of work runs again", () => {
  it.each([
    [{ code: "P2034" }, true],
    [{ code: "P2010", meta: { code: "40P01" } }, true],
    [{ code: "P2010", meta: { code: "40001" } }, true],
    [{ code: "40P01" }, true],
    [{ code: "P2010", meta: { driverAdapterError: { cause: { originalCode: "40P01" } } } }, true],
    [{ code: "P2010", message: "Raw query failed. Code: `40P01`. Message: `deadlock detected`", meta: {} }, true],
    [{ code: "P2010", meta: { code: "23505" } }, false],
    [{ code: "P2002" }, false],
    [{ code: "23505" }, false],
    [new Error("boom"), false],
    [null, false],
  ])("%j → %s", (error, expected) => {
    expect(isTransactionConflict(error)).toBe(expected);
  });
});
