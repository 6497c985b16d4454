import { scryptPasswordHasher } from "../domain/passwordHashing";

describe("password hashing (scrypt)", () => {
  const hasher = scryptPasswordHasher(14);

  it("verifies the right password and refuses a wrong one", async () => {
    const stored = await hasher.hash("correct horse battery staple");
    expect(await hasher.verify("correct horse battery staple", stored)).toBe(true);
    expect(await hasher.verify("correct horse battery stapler", stored)).toBe(false);
  });

  it("salts every hash and records its parameters in it", async () => {
    const [first, second] = await Promise.all([hasher.hash("same password"), hasher.hash("same password")]);
    expect(first).not.toBe(second);
    expect(first).toMatch(/^scrypt\$14\$8\$1\$/);
  });

  it("verifies with the parameters a hash was made with, so the cost can be raised later", async () => {
    const old = await scryptPasswordHasher(14).hash("an old password");
    expect(await scryptPasswordHasher(15).verify("an old password", old)).toBe(true);
  });

  it("refuses a stored value that is not one of its hashes", async () => {
    expect(await hasher.verify("anything", "plaintext")).toBe(false);
  });
});
