import { graphql, graphqlData } from "../../support/graphqlClient";
import { lastPhoneCode } from "../../support/contactChannels";
import { loginAdmin, registerCustomer } from "../../support/identity";
import { RecordingTransport } from "../../support/recordingTransport";
import { startServices, type TestServices } from "../../support/testServices";
import { waitFor } from "../../support/waitFor";

const requestChange = `mutation RequestPhoneNumberChange($phoneNumber: String!) { requestPhoneNumberChange(phoneNumber: $phoneNumber) }`;
const confirm = `mutation ConfirmPhoneNumber($code: String!) { confirmPhoneNumber(code: $code) { id phoneNumber } }`;
const removeNumber = `mutation RemovePhoneNumber { removePhoneNumber { id phoneNumber } }`;
const register = `mutation RegisterPushDevice($input: RegisterPushDeviceInput!) {
  registerPushDevice(input: $input) { id platform label tokenHint createdAt lastRegisteredAt } }`;
const removeDevice = `mutation RemovePushDevice($id: ID!) { removePushDevice(id: $id) }`;
const myChannels = `query MyContactChannels { me { id phoneNumber pushDevices { id platform label tokenHint } } }`;

describe("contact channels: a confirmed mobile number and push devices, owned by users and known to notifications", () => {
  const texts = new RecordingTransport();
  const pushes = new RecordingTransport();
  const emails = new RecordingTransport();
  let services: TestServices<"notifications">;
  let url: string;

  beforeAll(async () => {
    services = await startServices(["notifications"], {
      notificationTransports: { SMS: texts, PUSH: pushes, EMAIL: emails },
      settings: {
        users: { PHONE_CODES_PER_NUMBER: "3", PHONE_CODES_PER_USER: "20" },
        notifications: { NOTIFICATION_WORKER_INTERVAL_MS: "100" },
      },
    });
    url = services.router.url;
  });

  afterAll(async () => {
    await services?.cleanUp();
  });

  const notifications = () => services.notifications.runtime.db;
  const knownNumber = (userId: string) =>
    notifications()
      .knownUser.findUnique({ where: { userId } })
      .then((user) => user?.phoneNumber ?? null);
  const textTo = (number: string, count = 1) =>
    waitFor(() => texts.to(number).length >= count && texts.to(number)[count - 1], `text #${count} to ${number}`);

  it("texts a code to a new number, which becomes the user's only with that code", async () => {
    const customer = await registerCustomer(url);
    const token = customer.accessToken;
    const invalid = await graphql(url, requestChange, { token, variables: { phoneNumber: "555-0100" } });
    expect(invalid.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "phoneNumber" });

    expect(
      (await graphqlData(url, requestChange, { token, variables: { phoneNumber: "+44 20 7946 0958" } }))
        .requestPhoneNumberChange,
    ).toBe(true);
    const code = await lastPhoneCode(services, customer.user.id);
    expect(code).toMatch(/^\d{6}$/);
    const text = await textTo("+442079460958");
    expect(text.text).toContain(code);
    // The code went only to the phone: the stored text, the notice by email and the event keep no trace of it.
    const stored = await notifications().notification.findMany({
      where: { userId: customer.user.id, kind: "PHONE_VERIFICATION" },
    });
    expect(stored.map((row) => row.channel).sort()).toEqual(["EMAIL", "IN_APP", "PUSH", "SMS"]);
    for (const row of stored) expect(`${row.body}${row.html ?? ""}${row.sealedSecret ?? ""}`).not.toContain(code);
    const notice = await waitFor(
      () => emails.to(customer.user.email).find((mail) => /mobile number/.test(mail.subject)),
      "the notice",
    );
    expect(notice.text).toContain("+442079460958");
    expect(notice.text).not.toContain(code);
    expect(
      JSON.stringify((await services.users.runtime.db.outboxEvent.findMany()).map((event) => event.envelope)),
    ).not.toContain(`"${code}"`);

    const wrong = await graphql(url, confirm, { token, variables: { code: code === "000000" ? "111111" : "000000" } });
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "code" });
    expect((await graphqlData(url, myChannels, { token })).me.phoneNumber).toBeNull();

    expect((await graphqlData(url, confirm, { token, variables: { code } })).confirmPhoneNumber.phoneNumber).toBe(
      "+442079460958",
    );
    expect((await graphqlData(url, myChannels, { token })).me.phoneNumber).toBe("+442079460958");
    const used = await graphql(url, confirm, { token, variables: { code } });
    expect(used.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "code" });
    await waitFor(
      async () => (await knownNumber(customer.user.id)) === "+442079460958",
      "notifications to know the number",
    );

    // Another customer and an admin may not see it.
    const other = await registerCustomer(url);
    const peek = await graphql(
      url,
      `
        query ($id: ID!) {
          user(id: $id) {
            phoneNumber
          }
        }
      `,
      {
        token: other.accessToken,
        variables: { id: customer.user.id },
      },
    );
    expect(peek.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const admin = await loginAdmin(url);
    const asAdmin = await graphqlData(url, `query($id: ID!) { user(id: $id) { phoneNumber } }`, {
      token: admin.accessToken,
      variables: { id: customer.user.id },
    });
    expect(asAdmin.user.phoneNumber).toBe("+442079460958");

    expect((await graphqlData(url, removeNumber, { token })).removePhoneNumber.phoneNumber).toBeNull();
    await waitFor(async () => (await knownNumber(customer.user.id)) === null, "notifications to forget the number");
  });

  it("stops a code after five wrong tries, and limits codes per number", async () => {
    const customer = await registerCustomer(url);
    const token = customer.accessToken;
    await graphqlData(url, requestChange, { token, variables: { phoneNumber: "+14155550177" } });
    const code = await lastPhoneCode(services, customer.user.id);
    const wrongCode = code === "123456" ? "654321" : "123456";
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const result = await graphql(url, confirm, { token, variables: { code: wrongCode } });
      expect(result.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    }
    const tooLate = await graphql(url, confirm, { token, variables: { code } });
    expect(tooLate.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "code" });
    expect(tooLate.errors?.[0]?.message).toMatch(/no code to confirm/);

    // Three codes per number and window here: this was the first.
    await graphqlData(url, requestChange, { token, variables: { phoneNumber: "+14155550177" } });
    await graphqlData(url, requestChange, { token, variables: { phoneNumber: "+14155550177" } });
    const limited = await graphql(url, requestChange, { token, variables: { phoneNumber: "+1 415 555 0177" } });
    expect(limited.errors?.[0]?.extensions).toMatchObject({ code: "RATE_LIMITED", retryAfter: expect.any(Number) });
    const anonymous = await graphql(url, requestChange, { variables: { phoneNumber: "+14155550178" } });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("keeps at most ten push devices a user, never shows a token again, and moves a token between accounts", async () => {
    const customer = await registerCustomer(url);
    const token = customer.accessToken;
    const short = await graphql(url, register, { token, variables: { input: { token: "abc", platform: "IOS" } } });
    expect(short.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "token" });

    const tokens = Array.from(
      { length: 11 },
      (_, index) => `device-token-${customer.user.id}-x${String(index).padStart(2, "0")}`,
    );
    const first = (
      await graphqlData(url, register, {
        token,
        variables: { input: { token: tokens[0], platform: "IOS", label: "Ada's phone" } },
      })
    ).registerPushDevice;
    expect(first).toMatchObject({ platform: "IOS", label: "Ada's phone", tokenHint: "-x00" });
    // Registering the same token again refreshes it, and adds nothing.
    const again = (
      await graphqlData(url, register, { token, variables: { input: { token: tokens[0], platform: "IOS" } } })
    ).registerPushDevice;
    expect(again.id).toBe(first.id);
    for (const each of tokens.slice(1)) {
      await graphqlData(url, register, { token, variables: { input: { token: each, platform: "ANDROID" } } });
    }
    const devices = (await graphqlData(url, myChannels, { token })).me.pushDevices;
    expect(devices).toHaveLength(10);
    expect(devices.map((device: { id: string }) => device.id)).not.toContain(first.id);
    expect(devices[0].tokenHint).toBe("-x10");
    const introspected = await graphql(
      url,
      `
        query {
          me {
            pushDevices {
              token
            }
          }
        }
      `,
      { token },
    );
    expect(introspected.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    await waitFor(
      async () => (await notifications().knownPushDevice.count({ where: { userId: customer.user.id } })) === 10,
      "notifications to know the ten devices",
    );

    // The newest device signs in to another account: it is that account's from now on.
    const other = await registerCustomer(url);
    await graphqlData(url, register, {
      token: other.accessToken,
      variables: { input: { token: tokens[10], platform: "WEB" } },
    });
    expect((await graphqlData(url, myChannels, { token })).me.pushDevices).toHaveLength(9);
    await waitFor(
      async () =>
        (await notifications().knownPushDevice.findMany({ where: { userId: other.user.id } }))
          .map((device) => device.token)
          .join() === tokens[10],
      "notifications to move the device",
    );
    expect(await notifications().knownPushDevice.count({ where: { userId: customer.user.id } })).toBe(9);

    const theirs = (await graphqlData(url, myChannels, { token: other.accessToken })).me.pushDevices[0].id;
    const notMine = await graphql(url, removeDevice, { token, variables: { id: theirs } });
    expect(notMine.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    expect(
      (await graphqlData(url, removeDevice, { token: other.accessToken, variables: { id: theirs } })).removePushDevice,
    ).toBe(true);
    await waitFor(
      async () => (await notifications().knownPushDevice.count({ where: { userId: other.user.id } })) === 0,
      "notifications to forget the device",
    );
  });
});
