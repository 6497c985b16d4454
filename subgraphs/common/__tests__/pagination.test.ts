import { BadUserInputError } from "../errors";
import {
  afterNewestFirst,
  decodeCursor,
  encodeCursor,
  newestFirstCursor,
  newestFirstPosition,
  pageSize,
  toConnection,
} from "../pagination";

describe("pagination", () => {
  it("defaults the page size to 20 and bounds it to 1..100", () => {
    expect(pageSize(undefined)).toBe(20);
    expect(pageSize(null)).toBe(20);
    expect(pageSize(100)).toBe(100);
    for (const bad of [0, -1, 101, 1000, 2.5]) {
      expect(() => pageSize(bad)).toThrow(BadUserInputError);
    }
    try {
      pageSize(1000);
    } catch (error) {
      expect((error as BadUserInputError).field).toBe("first");
    }
  });

  it("round-trips cursors and rejects garbage as BAD_USER_INPUT on `after`", () => {
    const row = { createdAt: new Date("2026-11-23T10:00:00.000Z"), id: "8d0f5a55-41a8-4c3a-9a8b-0c6f1f0f7b11" };
    const cursor = newestFirstCursor(row);
    expect(decodeCursor(cursor, newestFirstPosition)).toEqual([row.createdAt.toISOString(), row.id]);
    for (const garbage of ["nope", encodeCursor({ a: 1 }), encodeCursor(["not a date", row.id]), ""]) {
      expect(() => decodeCursor(garbage, newestFirstPosition)).toThrow(/cursor is not valid/);
    }
  });

  it("filters rows strictly after the cursor, breaking createdAt ties by id", () => {
    const at = new Date("2026-11-23T10:00:00.000Z");
    const cursor = newestFirstCursor({ createdAt: at, id: "8d0f5a55-41a8-4c3a-9a8b-0c6f1f0f7b11" });
    expect(afterNewestFirst(cursor)).toEqual({
      OR: [{ createdAt: { lt: at } }, { createdAt: at, id: { lt: "8d0f5a55-41a8-4c3a-9a8b-0c6f1f0f7b11" } }],
    });
    expect(afterNewestFirst(null)).toBeUndefined();
  });

  it("builds a connection from one extra row that only says more pages follow", async () => {
    const rows = [{ id: "a" }, { id: "b" }, { id: "c" }];
    const full = toConnection(
      rows,
      2,
      (row) => `cursor-${row.id}`,
      async () => 7,
    );
    expect(full.edges.map((edge) => edge.node.id)).toEqual(["a", "b"]);
    expect(full.pageInfo).toEqual({
      hasNextPage: true,
      hasPreviousPage: false,
      startCursor: "cursor-a",
      endCursor: "cursor-b",
    });
    expect(await full.totalCount()).toBe(7);
    const last = toConnection(
      rows.slice(0, 2),
      2,
      (row) => row.id,
      async () => 2,
    );
    expect(last.pageInfo.hasNextPage).toBe(false);
    const empty = toConnection(
      [],
      2,
      (row: { id: string }) => row.id,
      async () => 0,
    );
    expect(empty.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null });
  });
});
