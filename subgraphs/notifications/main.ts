import { runSubgraphMain } from "../common/server/runMain";
import { createNotificationsService } from "./service";

runSubgraphMain(createNotificationsService());
