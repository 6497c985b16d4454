import { runSubgraphMain } from "../common/server/runMain";
import { notificationsService } from "./service";

runSubgraphMain(notificationsService);
