import { pendingMigrationSql } from "../../scripts/prisma";
import { serviceNames } from "../../subgraphs/common/serviceNames";

describe("each service's migrations", () => {
  it.each(serviceNames)(
    "%s: produce exactly the datamodel of its schema (run `npm run db:migration` after a change)",
    async (service) => {
      expect(await pendingMigrationSql(service)).toBe("");
    },
  );
});
