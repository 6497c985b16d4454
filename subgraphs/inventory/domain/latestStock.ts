import type { EventData, EventType } from "../../common/events/catalog";
import type { Emit } from "../../common/events/unitOfWork";

interface HeldEvent {
  type: EventType;
  data: EventData<EventType>;
}

/**
 * An `emit` that announces each variant's stock once for a batch of changes committed together:
 * of the `inventory.stock.changed` events of one variant, only the last (the stock as the batch
 * left it, its latest version) is kept, in the place of that last one. The states in between
 * were never visible outside the transaction, and every consumer keeps the newest version it is
 * told of (read models idempotent by version), so they need no event of their own. Other events
 * are kept as they come. Nothing is emitted until `flush`, which emits what was kept, in order.
 */
export function latestStockPerVariant(emit: Emit): { emit: Emit; flush(): void } {
  const held: Array<HeldEvent | undefined> = [];
  const lastOfVariant = new Map<string, number>();
  const holding: Emit = Object.assign(
    <T extends EventType>(type: T, data: EventData<T>) => {
      if (type === "inventory.stock.changed") {
        const changed = data as EventData<"inventory.stock.changed">;
        const variantId = (changed.variantId ?? changed.productId).toLowerCase();
        const before = lastOfVariant.get(variantId);
        if (before !== undefined) held[before] = undefined;
        lastOfVariant.set(variantId, held.length);
      }
      held.push({ type, data } as HeldEvent);
    },
    { wake: emit.wake },
  );
  return {
    emit: holding,
    flush() {
      for (const event of held.splice(0)) if (event) emit(event.type, event.data);
      lastOfVariant.clear();
    },
  };
}
