import { dropTemplateDatabases } from "./templateDatabases";

/** Drops this run's template databases (the tests drop their own databases themselves). */
export default async function globalTeardown(): Promise<void> {
  await dropTemplateDatabases();
}
