import { graphqlData } from "../../../test/support/graphqlClient";
import { loginAdmin, registerCustomer, type Session } from "../../../test/support/identity";
import { recordSentStatements, withoutBackground } from "../../../test/support/sqlCounter";
import { startServices, type TestServices } from "../../../test/support/testServices";

/** Work no request does: the outbox relay's and workers' polls, transaction control, readiness probes. */
const background = /outbox_event|processed_event|next_attempt_at <= now\(\)|expires_at < now\(\)|^SELECT 1$/i;
const control = /^\s*(BEGIN|COMMIT|ROLLBACK)\b/i;

/** What the orders service asks the users service for when an order ships to a saved address. */
const customers = `query($r: [_Any!]!) {
  _entities(representations: $r) { ... on User { id name addresses { id line1 line2 city region postalCode country } } }
}`;

/**
 * The customer entity (name and saved addresses) of many users at once, as the orders service
 * asks for it: a fixed pair of statements however many users, counted on the wire (every `pg`
 * connection of the process), so an N+1 that creeps in fails here.
 */
describe("the customer entities of many users", () => {
  let services: TestServices<never>;
  let admin: Session;
  const people: Array<{ id: string; name: string }> = [];

  beforeAll(async () => {
    services = await startServices([], { router: false });
    const url = services.users.url;
    admin = await loginAdmin(url);
    for (let index = 0; index < 5; index += 1) {
      const customer = await registerCustomer(url, { name: `Customer ${index}` });
      for (const label of ["Home", "Work"]) {
        await graphqlData(url, `mutation($input: AddressInput!) { addAddress(input: $input) { id } }`, {
          token: customer.accessToken,
          variables: {
            input: { label, line1: `${index} ${label} St`, city: "Testville", postalCode: "00000", country: "US" },
          },
        });
      }
      people.push({ id: customer.user.id, name: customer.user.name });
    }
  });

  afterAll(async () => {
    await services?.cleanUp();
  });

  async function ask(ids: readonly string[]) {
    const database = new URL(services.users.runtime.databaseUrl).pathname.slice(1);
    const { result, statements } = await recordSentStatements(() =>
      graphqlData(services.users.url, customers, {
        token: admin.accessToken,
        variables: { r: ids.map((id) => ({ __typename: "User", id })) },
      }),
    );
    const sent = withoutBackground(statements, background)
      .filter((each) => each.database === database && !control.test(each.text))
      .map((each) => each.text.replace(/\s+/g, " "));
    return {
      entities: result._entities as Array<{ id: string; name: string; addresses: Array<{ line1: string }> }>,
      sent,
    };
  }

  it("reads the users and their addresses in two statements, for one user as for five", async () => {
    const one = await ask([people[0]!.id]);
    const five = await ask(people.map((person) => person.id));
    expect(five.entities.map((entity) => [entity.id, entity.name, entity.addresses.map((each) => each.line1)])).toEqual(
      people.map((person, index) => [person.id, person.name, [`${index} Home St`, `${index} Work St`]]),
    );
    expect(one.entities).toEqual([five.entities[0]]);
    expect(five.sent).toEqual([
      expect.stringMatching(/FROM users WHERE/),
      expect.stringMatching(/FROM addresses WHERE/),
    ]);
    expect(one.sent.length).toBe(five.sent.length);
  });
});
