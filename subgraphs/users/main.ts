import { runSubgraphMain } from "../common/server/runMain";
import { createUsersService } from "./service";

runSubgraphMain(createUsersService());
