import { UnusableSecretError, type SecretPurpose, type SecretSealer } from "../../common/secrets/sealedSecrets";
import { escapeHtml } from "./escape";
import { linkPlaceholder } from "./messages";

/** The storefront page each kind of link opens. */
const pages: Record<SecretPurpose, string> = {
  PASSWORD_RESET: "/reset-password",
  VERIFY_EMAIL: "/verify-email",
  CHANGE_EMAIL: "/confirm-email-change",
};

/** Opens a notification's sealed secret into the link it stands for; throws UnusableSecretError when it cannot. */
export type LinkOpener = (sealed: string, userId: string) => string;

export function linkOpener(sealer: SecretSealer, storefrontUrl: string): LinkOpener {
  const base = storefrontUrl.replace(/\/$/, "");
  return (sealed, userId) => {
    const secret = sealer.open(sealed);
    if (secret.userId !== userId) throw new UnusableSecretError("the sealed secret belongs to another user");
    return `${base}${pages[secret.purpose]}?token=${encodeURIComponent(secret.token)}`;
  };
}

/** The email as it is handed to the transport: the link where the stored copy has its placeholder. */
export function withLink(email: { text: string; html: string | null }, link: string) {
  return {
    text: email.text.replaceAll(linkPlaceholder, link),
    html: email.html?.replaceAll(linkPlaceholder, escapeHtml(link)) ?? null,
  };
}
