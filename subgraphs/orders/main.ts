import { runSubgraphMain } from "../common/server/runMain";
import { ordersService } from "./service";

runSubgraphMain(ordersService);
