/**
 * The inventory subgraph's public surface: what starts it (the process entry, the stack, tests).
 * Everything else under subgraphs/inventory is its own.
 */
export { inventoryService } from "./service";
export { inventoryEnvironment, type InventoryEnvironment } from "./environment";
export { createInventoryDatabase, type InventoryDb, type InventoryTx } from "./store/database";
export { inventoryEventHandlers } from "./events/handlers";
