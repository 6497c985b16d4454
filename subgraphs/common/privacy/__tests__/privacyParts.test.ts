import { boundedExportPart, toPlainJson } from "../privacyParts";

describe("an export part's bounds", () => {
  it("leaves a part within the bound as it is, as plain JSON", () => {
    const at = new Date("2026-01-02T03:04:05.000Z");
    expect(boundedExportPart({ orders: [{ total: 1234n, at }] })).toEqual({
      orders: [{ total: "1234", at: "2026-01-02T03:04:05.000Z" }],
    });
  });

  it("halves the longest list (keeping its most recent records) until the part fits, and says which it cut", () => {
    const notifications = Array.from({ length: 100 }, (_, index) => ({ index, body: "x".repeat(100) }));
    const part = boundedExportPart({ account: { name: "Ada" }, notifications, reviews: [{ title: "ok" }] }, 4000);
    expect(Buffer.byteLength(JSON.stringify(part))).toBeLessThanOrEqual(4000);
    expect(part.truncated).toEqual(["notifications"]);
    expect(part.account).toEqual({ name: "Ada" });
    expect(part.reviews).toEqual([{ title: "ok" }]);
    const kept = part.notifications as Array<{ index: number }>;
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.map((each) => each.index)).toEqual(kept.map((_, index) => index));
  });

  it("says the part was too large when no list can be cut", () => {
    expect(boundedExportPart({ blob: "x".repeat(5000) }, 1000)).toEqual({
      truncated: ["everything"],
      note: "This service's data was too large to export.",
    });
  });

  it("turns big integers into decimal strings", () => {
    expect(toPlainJson({ amount: 9_999_999_999n })).toEqual({ amount: "9999999999" });
  });
});
