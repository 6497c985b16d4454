/** `npm run compose`: composes schema/*.graphql into schema/supergraph.graphql. */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { composeSupergraph, supergraphPath } from "../schema/composeSupergraph";

const outcome = composeSupergraph();
if (!outcome.ok) {
  console.error(`composition failed with ${outcome.errors.length} error(s):`);
  for (const error of outcome.errors) console.error(`  - ${error}`);
  process.exit(1);
}
writeFileSync(supergraphPath, outcome.supergraphSdl);
for (const hint of outcome.hints) console.warn(`hint: ${hint}`);
console.log(`wrote ${path.relative(process.cwd(), supergraphPath)}`);
