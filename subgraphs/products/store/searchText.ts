import { createHash } from "node:crypto";
import type { SqlValue, Statement } from "../../common/database/sqlPool";

/**
 * The text of a catalog statement, built from the parts a query has, with its values as `$n`
 * parameters in the order they were added: the same shape of query (filters given, sort, cursor)
 * always gives the same text, whatever the values.
 */
export class SearchText {
  readonly values: SqlValue[] = [];

  /**
   * A parameter holding `value`, cast to `type` (the statement's text never holds a value); no
   * cast where the place it stands in gives its type (`LIMIT`).
   */
  param(value: SqlValue, type?: string): string {
    this.values.push(value);
    return type ? `$${this.values.length}::${type}` : `$${this.values.length}`;
  }
}

/** How many shapes of catalog statement each connection keeps prepared, at most. */
const maxPreparedShapes = 200;
const prepared = new Map<string, Statement>();

/**
 * The statement for a text: named (prepared once per connection, then sent by name) when it is
 * one of the first shapes seen, an unnamed one (parsed each time) beyond those, so that clients
 * trying every combination of filters cannot fill the server's memory with prepared statements.
 * `generic: false` keeps it unnamed: a text search is planned for its own words every time (a
 * prepared statement may fall back on a generic plan, blind to how selective the words are).
 */
export function statementFor(kind: string, text: string, options: { generic: boolean }): Statement {
  if (!options.generic) return { name: "", text };
  let found = prepared.get(text);
  if (!found) {
    if (prepared.size >= maxPreparedShapes) return { name: "", text };
    const digest = createHash("sha1").update(text).digest("base64url").slice(0, 16);
    found = { name: `products.${kind}.${digest}`, text };
    prepared.set(text, found);
  }
  return found;
}
