import { runSubgraphMain } from "../common/server/runMain";
import { paymentsService } from "./service";

runSubgraphMain(paymentsService);
