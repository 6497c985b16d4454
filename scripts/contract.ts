/**
 * `npm run contract`: validates every operation of the client contract
 * (schema/contract/operations.graphql, a copy of ../shared/contract/operations.graphql) against
 * the API schema of schema/supergraph.graphql and lists those that do not validate yet.
 * `--strict` exits non-zero while any operation fails. When the shared contract is beside the
 * project and differs from the copy, it says so: copy it over, then check again.
 */
import { readFileSync } from "node:fs";
import { loadApiSchema } from "../schema/apiSchema";
import { checkContract, contractPath, sharedContractExists, sharedContractPath } from "../schema/contract";

let stale = false;
if (sharedContractExists() && readFileSync(sharedContractPath, "utf8") !== readFileSync(contractPath, "utf8")) {
  stale = true;
  console.log(
    `✗ ${contractPath} differs from ${sharedContractPath}: copy the shared contract over, then check again.\n`,
  );
}
const checks = checkContract(loadApiSchema());
const failing = checks.filter((check) => check.errors.length > 0);
for (const check of failing) {
  console.log(`✗ ${check.kind} ${check.name}`);
  for (const error of check.errors) console.log(`    ${error}`);
}
console.log(
  `\n${checks.length - failing.length} of ${checks.length} contract operations validate against the supergraph.`,
);
if (failing.length > 0) console.log(`Not yet: ${failing.map((check) => check.name).join(", ")}`);
process.exit(process.argv.includes("--strict") && (failing.length > 0 || stale) ? 1 : 0);
