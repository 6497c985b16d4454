/**
 * `npm run contract`: validates every operation of the client contract
 * (schema/contract/operations.graphql: ../shared/contract/operations.graphql and what was added since) against
 * the API schema of schema/supergraph.graphql and lists those that do not validate yet.
 * `--strict` exits non-zero while any operation fails. When the shared contract is beside the
 * project and the copy lacks or changed one of its operations, it says so.
 */
import { readFileSync } from "node:fs";
import { loadApiSchema } from "../schema/apiSchema";
import {
  checkContract,
  contractPath,
  operationsNotKeptIn,
  sharedContractExists,
  sharedContractPath,
} from "../schema/contract";

let stale = false;
const notKept = sharedContractExists()
  ? operationsNotKeptIn(readFileSync(contractPath, "utf8"), readFileSync(sharedContractPath, "utf8"))
  : [];
if (notKept.length > 0) {
  stale = true;
  console.log(
    `✗ ${contractPath} lacks or changed these operations of ${sharedContractPath}: ${notKept.join(", ")}. Copy them over, then check again.\n`,
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
