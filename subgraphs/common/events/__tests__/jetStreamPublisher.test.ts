import { randomUUID } from "node:crypto";
import { connect, type NatsConnection } from "nats";
import { JetStreamPublisher } from "../jetStreamPublisher";
import { deleteStreams, ensureStreams, subjectFor } from "../streams";

describe("publishing to JetStream with an inbox of our own", () => {
  const namespace = `jspub${process.pid}`;
  const subject = subjectFor(namespace, "inventory.reservation.succeeded");
  const body = new TextEncoder().encode("{}");
  let nc: NatsConnection;
  let publisher: JetStreamPublisher;

  beforeAll(async () => {
    nc = await connect({ servers: process.env.NATS_URL ?? "nats://127.0.0.1:4222" });
    await ensureStreams(await nc.jetstreamManager(), namespace);
  });

  beforeEach(() => {
    publisher = JetStreamPublisher.of(nc.jetstream(), 500);
  });

  afterEach(() => publisher.close());

  afterAll(async () => {
    await deleteStreams(await nc.jetstreamManager(), namespace);
    await nc.close();
  });

  it("resolves once the stream stored the message, and stores a second publication of its id once", async () => {
    const id = randomUUID();
    const [first, second] = await Promise.all([
      publisher.publish(subject, body, id),
      publisher.publish(subject, body, randomUUID()),
    ]);
    expect(first).toEqual({
      stream: `${namespace}_INVENTORY`.toUpperCase(),
      seq: expect.any(Number),
      duplicate: false,
    });
    expect(second.seq).not.toBe(first.seq);
    const again = await publisher.publish(subject, body, id);
    expect(again).toEqual({ ...first, duplicate: true });
  });

  it("stores a message sent without acknowledgement, and a second sending of its id once", async () => {
    const jsm = await nc.jetstreamManager();
    const stream = `${namespace}_INVENTORY`.toUpperCase();
    const before = (await jsm.streams.info(stream)).state.messages;
    const id = randomUUID();
    publisher.send(subject, body, id);
    publisher.send(subject, body, id);
    // Acknowledged after them: the stream takes a connection's messages in order.
    const { seq } = await publisher.publish(subject, body, randomUUID());
    expect((await jsm.streams.info(stream)).state.messages).toBe(before + 2);
    expect((await jsm.streams.getMessage(stream, { seq: seq - 1 })).header.get("Nats-Msg-Id")).toBe(id);
  });

  it("fails when no stream takes the subject", async () => {
    await expect(publisher.publish(`${namespace}_none.${randomUUID()}`, body, randomUUID())).rejects.toThrow(
      /no stream takes/,
    );
  });

  it("fails when nothing answers within its timeout", async () => {
    // A plain subscriber takes the subject and never answers, as a stream that cannot store would.
    const silent = `${namespace}_silent.${randomUUID()}`;
    const subscription = nc.subscribe(silent);
    await nc.flush();
    await expect(publisher.publish(silent, body, randomUUID())).rejects.toThrow(/timed out/);
    subscription.unsubscribe();
  });

  it("fails what waits when it is closed, and publishes again afterwards", async () => {
    const silent = `${namespace}_silent.${randomUUID()}`;
    const subscription = nc.subscribe(silent);
    await nc.flush();
    const waiting = publisher.publish(silent, body, randomUUID());
    publisher.close();
    await expect(waiting).rejects.toThrow(/closed/);
    subscription.unsubscribe();
    await expect(publisher.publish(subject, body, randomUUID())).resolves.toMatchObject({ duplicate: false });
  });
});
