import { unwrapResolverError } from "@apollo/server/errors";
import type { GraphQLFormattedError } from "graphql";
import { DomainError, ErrorCode } from "../errors";
import type { Logger } from "../logger";

/**
 * The input field of a variable-coercion message, named as domain errors name it: inside the
 * `input` argument without its name (`Variable "$input" got invalid value 1.5 at "input.delta"`
 * gives `delta`, `at "input.items[0].quantity"` gives `items.0.quantity`), any other argument
 * with its name (`at "filter.minPrice"` gives `filter.minPrice`; `Variable "$first" got invalid
 * value ...` gives `first`). Variables are taken to be named after their arguments, as clients
 * conventionally name them.
 */
export function coercedField(message: string): string | undefined {
  const match = /^Variable "\$(\w+)" got invalid value .*?(?: at "([^"]+)")?;/.exec(message);
  if (!match) return undefined;
  const [, variable, path] = match;
  if (!path) return variable;
  const dotted = path.replace(/\[(\d+)\]/g, ".$1");
  return variable === "input" ? dotted.split(".").slice(1).join(".") || variable : dotted;
}

/**
 * Turns domain errors into their contract codes and masks every unexpected error, so nothing
 * internal (SQL, stack traces, hostnames) reaches a client. Unexpected errors are logged in full.
 */
export function createErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof DomainError) {
      return {
        message: original.message,
        ...(formatted.path ? { path: formatted.path } : {}),
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        extensions: { code: original.code, ...original.extensions() },
      };
    }
    const code = formatted.extensions?.code;
    if (code === ErrorCode.BAD_USER_INPUT && !formatted.extensions?.field) {
      // A variable of the wrong type, rejected before any resolver ran: name the field too.
      const field = coercedField(formatted.message);
      if (field) return { ...formatted, extensions: { ...formatted.extensions, field } };
    }
    if (typeof code === "string" && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
      // Apollo's own errors (validation, parsing, variable coercion) and errors a subgraph already formatted.
      const { exception: _exception, stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    logger.error({ err: original, path: formatted.path }, "unexpected error while resolving a request");
    return {
      message: "Internal server error",
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}
