import { randomUUID } from "node:crypto";
import { createLogger } from "../../logger";
import { createEnvelope } from "../envelope";
import { OutboxRelay } from "../outboxRelay";
import { subjectFor } from "../streams";
import { waitFor } from "../../../../test/support/waitFor";
import { emptyOutbox, natsWithStreams } from "./support/relayFixture";

/**
 * Events a service commits while it starts (the first admin's registration), before its relay
 * runs, are published when the relay starts: before, only the poll published them, once they
 * were `pollGraceMs` (5 s) old, and a consumer that needed them (notifications' admins) missed them
 * meanwhile. Events committed after `stop` stay for the poll of the next process.
 */
describe("outbox relay: events committed before it starts", () => {
  const namespace = `relaystart${process.pid}`;
  const logger = createLogger("test", { level: "silent" });
  const natsConnection = natsWithStreams(namespace);

  const registered = () =>
    createEnvelope("users", {
      type: "users.user.registered",
      data: { userId: randomUUID(), email: "admin@shop.test", name: "Administrator", roles: ["CUSTOMER", "ADMIN"] },
    });

  it("are published as it starts; those committed after it stopped are left to the poll", async () => {
    const nc = natsConnection();
    const subscription = nc.subscribe(subjectFor(namespace, "users.user.registered"));
    const seen: string[] = [];
    void (async () => {
      for await (const message of subscription) seen.push((message.json() as { id: string }).id);
    })();
    const relay = new OutboxRelay({ db: emptyOutbox, js: nc.jetstream(), namespace, logger, pollGraceMs: 60_000 });
    try {
      const early = registered();
      relay.publishCommitted([early]);
      relay.start();
      await waitFor(() => seen.includes(early.id), "the event committed before the start", 5_000);

      await relay.stop();
      const late = registered();
      relay.publishCommitted([late]);
      relay.start();
      const check = registered();
      relay.publishCommitted([check]);
      await waitFor(() => seen.includes(check.id), "an event committed while it runs again", 5_000);
      expect(seen).toEqual([early.id, check.id]);
    } finally {
      await relay.stop();
      subscription.unsubscribe();
    }
  });
});
