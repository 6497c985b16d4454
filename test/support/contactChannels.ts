import { graphqlData } from "./graphqlClient";
import { tokenOfSealedLink } from "./identity";
import type { TestServices } from "./testServices";

const requestChange = `mutation($phoneNumber: String!) { requestPhoneNumberChange(phoneNumber: $phoneNumber) }`;
const confirm = `mutation($code: String!) { confirmPhoneNumber(code: $code) { id phoneNumber } }`;

/** The newest code texted to `userId`, opened from the users service's outbox as notifications would open it. */
export async function lastPhoneCode(services: TestServices<never>, userId: string): Promise<string> {
  const event = await services.users.runtime.db.outboxEvent.findFirstOrThrow({
    where: { type: "users.phone_verification.requested", envelope: { path: ["data", "userId"], equals: userId } },
    orderBy: { seq: "desc" },
  });
  return tokenOfSealedLink((event.envelope as { data: { code: { sealed: string } } }).data.code);
}

/** Gives the signed-in user a confirmed mobile number, through the router, as the user would. */
export async function confirmPhoneNumber(
  services: TestServices<never>,
  url: string,
  session: { accessToken: string; user: { id: string } },
  phoneNumber: string,
): Promise<void> {
  await graphqlData(url, requestChange, { token: session.accessToken, variables: { phoneNumber } });
  const code = await lastPhoneCode(services, session.user.id);
  await graphqlData(url, confirm, { token: session.accessToken, variables: { code } });
}
