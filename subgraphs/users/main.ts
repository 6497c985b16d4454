import { runSubgraphMain } from "../common/server/runMain";
import { usersService } from "./service";

runSubgraphMain(usersService);
