import { runSubgraphMain } from "../common/server/runMain";
import { createPaymentsService } from "./service";

runSubgraphMain(createPaymentsService());
