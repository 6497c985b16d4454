import type { PrismaLike } from "../../subgraphs/common/database/prismaOptions";

/** Statements of the event plumbing (outbox relay polls, transaction control), not of the request under test. */
const background = /outbox_event|processed_event|^\s*(BEGIN|COMMIT|ROLLBACK)/i;

/** Counts the SQL statements a Prisma client sends while `work` runs. */
export async function countStatements<T>(
  clients: Record<string, PrismaLike>,
  work: () => Promise<T>,
): Promise<{ result: T; counts: Record<string, number>; statements: string[] }> {
  const counts = Object.fromEntries(Object.keys(clients).map((name) => [name, 0]));
  const statements: string[] = [];
  let recording = true;
  for (const [name, client] of Object.entries(clients)) {
    client.$on("query", (event) => {
      if (!recording || background.test(event.query)) return;
      counts[name] = (counts[name] ?? 0) + 1;
      statements.push(`${name}: ${event.query}`);
    });
  }
  try {
    const result = await work();
    return { result, counts, statements };
  } finally {
    recording = false;
  }
}
