/** Pieces of the HTML page around the rendered app. */
const escapes: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => escapes[char] ?? char);

/** JSON inside a <script>: `<`, U+2028 and U+2029 escaped so no value can close the tag or break the script. */
export const scriptJson = (value: unknown) =>
  JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");

export function fillTemplate(
  template: string,
  page: { title: string; html: string; state: unknown },
  routerUrl: string,
): string {
  const config = { routerUrl, state: page.state };
  return template
    .replace("<!--app-title-->", escapeHtml(page.title))
    .replace("<!--app-html-->", () => page.html)
    .replace("<!--app-state-->", () => `<script>window.__STOREFRONT__=${scriptJson(config)}</script>`);
}
