import { apiKeyPrefix, looksLikeApiKey, newApiKey, parseApiKey } from "../apiKeys";

describe("API keys", () => {
  const id = "0f8fad5b-d9cb-469f-a165-70867728950e";

  it("are sk_live_, the record id and 256 random bits, and parse back to the id and secret", () => {
    const { key, secretHash } = newApiKey(id);
    expect(key).toMatch(/^sk_live_0f8fad5bd9cb469fa16570867728950e_[A-Za-z0-9_-]{43}$/);
    expect(looksLikeApiKey(key)).toBe(true);
    expect(parseApiKey(key)).toEqual({ id, secret: key.slice(-43) });
    expect(secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(secretHash).not.toContain(key.slice(-43));
  });

  it("are new every time, even for the same record", () => {
    expect(newApiKey(id).key).not.toBe(newApiKey(id).key);
  });

  it("are not taken from anything else", () => {
    expect(looksLikeApiKey("eyJhbGciOiJFZERTQSJ9.e30.sig")).toBe(false);
    for (const bad of [
      `${apiKeyPrefix}0f8fad5bd9cb469fa16570867728950e`,
      `${apiKeyPrefix}0f8fad5b-d9cb-469f-a165-70867728950e_${"a".repeat(43)}`,
      `${apiKeyPrefix}0f8fad5bd9cb469fa16570867728950e_${"a".repeat(42)}`,
      `${apiKeyPrefix}0f8fad5bd9cb469fa16570867728950e_${"a".repeat(43)}x`,
      `sk_test_0f8fad5bd9cb469fa16570867728950e_${"a".repeat(43)}`,
    ])
      expect(parseApiKey(bad)).toBeNull();
  });
});
