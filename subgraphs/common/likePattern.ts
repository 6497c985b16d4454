/** A LIKE pattern matching `text` anywhere: its own `%`, `_` and `\` match only themselves. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}
