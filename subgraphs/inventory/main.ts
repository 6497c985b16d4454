import { runSubgraphMain } from "../common/server/runMain";
import { inventoryService } from "./service";

runSubgraphMain(inventoryService);
