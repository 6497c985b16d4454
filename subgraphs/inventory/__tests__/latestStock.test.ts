import type { EventData, EventType } from "../../common/events/catalog";
import type { Emit } from "../../common/events/unitOfWork";
import { latestStockPerVariant } from "../domain/latestStock";

const productId = "00000000-0000-4000-9000-000000000001";
const a = "00000000-0000-4000-9000-00000000000a";
const b = "00000000-0000-4000-9000-00000000000b";

const changed = (variantId: string, version: number, available: number): EventData<"inventory.stock.changed"> => ({
  productId,
  variantId,
  onHand: 10,
  reserved: 10 - available,
  available,
  lowStockThreshold: 2,
  version,
  kind: "RESERVATION",
});

function recorder() {
  const events: Array<[EventType, unknown]> = [];
  const woken: string[] = [];
  const emit: Emit = Object.assign(
    <T extends EventType>(type: T, data: EventData<T>) => void events.push([type, data]),
    { wake: (worker: string) => void woken.push(worker) },
  ) as Emit;
  return { emit, events, woken };
}

describe("announcing each variant's stock once per batch", () => {
  it("keeps the last stock.changed of each variant, in its place, and every other event as it came", () => {
    const { emit, events } = recorder();
    const stock = latestStockPerVariant(emit);
    stock.emit("inventory.stock.changed", changed(a, 2, 7));
    stock.emit("inventory.stock.changed", changed(b, 5, 4));
    stock.emit("inventory.stock.changed", changed(a, 3, 2));
    stock.emit("inventory.stock.low", { productId, variantId: a, sku: "A", name: "A", available: 2, threshold: 2 });
    stock.emit("inventory.stock.changed", changed(a.toUpperCase(), 4, 1));
    expect(events).toEqual([]);
    stock.flush();
    expect(events.map(([type, data]) => [type, (data as { version?: number }).version])).toEqual([
      ["inventory.stock.changed", 5],
      ["inventory.stock.low", undefined],
      ["inventory.stock.changed", 4],
    ]);
  });

  it("passes a batch of one change through unchanged, and wakes workers at once", () => {
    const { emit, events, woken } = recorder();
    const stock = latestStockPerVariant(emit);
    stock.emit("inventory.stock.changed", changed(a, 2, 7));
    stock.emit.wake("outbox-relay" as never);
    expect(woken).toEqual(["outbox-relay"]);
    stock.flush();
    stock.flush();
    expect(events).toEqual([["inventory.stock.changed", changed(a, 2, 7)]]);
  });
});
