import { allocate } from "../domain/allocation";

const at = (locationId: string, priority: number, available: number) => ({ locationId, priority, available });

describe("where a line's units come from", () => {
  it("takes the location of lower priority first, even when another holds more", () => {
    expect(allocate(2, [at("b", 2, 50), at("a", 1, 3)])).toEqual([{ locationId: "a", quantity: 2 }]);
  });

  it("among equal priorities takes the one with the most available, then splits", () => {
    expect(allocate(8, [at("a", 1, 3), at("b", 1, 6), at("c", 1, 6)])).toEqual([
      { locationId: "b", quantity: 6 },
      { locationId: "c", quantity: 2 },
    ]);
  });

  it("gives the same answer for the same stock, whatever order the locations come in", () => {
    const locations = [at("x", 1, 4), at("y", 1, 4), at("z", 0, 1)];
    expect(allocate(6, locations)).toEqual(allocate(6, [...locations].reverse()));
    expect(allocate(6, locations)).toEqual([
      { locationId: "z", quantity: 1 },
      { locationId: "x", quantity: 4 },
      { locationId: "y", quantity: 1 },
    ]);
  });

  it("skips locations with nothing available and answers null when all of them hold too little", () => {
    expect(allocate(3, [at("a", 0, 0), at("b", 1, 3)])).toEqual([{ locationId: "b", quantity: 3 }]);
    expect(allocate(4, [at("a", 0, 1), at("b", 1, 2)])).toBeNull();
    expect(allocate(1, [])).toBeNull();
  });
});
