/**
 * `npm run contract`: validates every operation of ../shared/contract/operations.graphql against
 * the API schema of schema/supergraph.graphql and lists those that do not validate yet.
 * `--strict` exits non-zero while any operation fails.
 */
import { loadApiSchema } from "../schema/apiSchema";
import { checkContract, contractExists, contractPath } from "../schema/contract";

if (!contractExists()) {
  console.log(`no contract at ${contractPath}; nothing to check`);
  process.exit(0);
}
const checks = checkContract(loadApiSchema());
const failing = checks.filter((check) => check.errors.length > 0);
for (const check of failing) {
  console.log(`✗ ${check.kind} ${check.name}`);
  for (const error of check.errors) console.log(`    ${error}`);
}
console.log(`\n${checks.length - failing.length} of ${checks.length} contract operations validate against the supergraph.`);
if (failing.length > 0) console.log(`Not yet: ${failing.map((check) => check.name).join(", ")}`);
process.exit(process.argv.includes("--strict") && failing.length > 0 ? 1 : 0);
