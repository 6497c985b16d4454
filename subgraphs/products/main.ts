import { runSubgraphMain } from "../common/server/runMain";
import { productsService } from "./service";

runSubgraphMain(productsService);
