import { ApolloServerErrorCode } from "@apollo/server/errors";
import { ErrorCode } from "../errors";

describe("the error codes clients see", () => {
  it("include every code Apollo Server answers with, spelled as it spells them", () => {
    for (const code of Object.values(ApolloServerErrorCode)) {
      expect(ErrorCode[code]).toBe(code);
    }
  });

  it("name each member after its value, so a code reads the same in the code and on the wire", () => {
    for (const [name, code] of Object.entries(ErrorCode)) expect(code).toBe(name);
  });
});
