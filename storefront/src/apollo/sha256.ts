/** SHA-256 of a query, in hex, for automatic persisted queries: Web Crypto in browsers and in Node. */
export async function sha256(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Web Crypto's digest exists only in secure contexts (https, localhost): elsewhere APQ stays off. */
export const canHash = (): boolean => typeof globalThis.crypto?.subtle?.digest === "function";
