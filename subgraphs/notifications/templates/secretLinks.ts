import { UnusableSecretError, type SecretPurpose, type SecretSealer } from "../../common/secrets/sealedSecrets";
import { escapeHtml } from "./escape";
import { codePlaceholder, linkPlaceholder } from "./kinds";

/** The storefront page each kind of link opens; a texted code is not a link. */
const pages: Record<Exclude<SecretPurpose, "VERIFY_PHONE">, string> = {
  PASSWORD_RESET: "/reset-password",
  VERIFY_EMAIL: "/verify-email",
  CHANGE_EMAIL: "/confirm-email-change",
};

/** A secret opened for the transport: what stands in the stored message, and what replaces it. */
export interface OpenedSecret {
  placeholder: string;
  value: string;
}

/** Opens a notification's sealed secret; throws UnusableSecretError when it cannot. */
export type SecretOpener = (sealed: string, userId: string) => OpenedSecret;

export function secretOpener(sealer: SecretSealer, storefrontUrl: string): SecretOpener {
  const base = storefrontUrl.replace(/\/$/, "");
  return (sealed, userId) => {
    const secret = sealer.open(sealed);
    if (secret.userId !== userId) throw new UnusableSecretError("the sealed secret belongs to another user");
    if (secret.purpose === "VERIFY_PHONE") return { placeholder: codePlaceholder, value: secret.token };
    return {
      placeholder: linkPlaceholder,
      value: `${base}${pages[secret.purpose]}?token=${encodeURIComponent(secret.token)}`,
    };
  };
}

/** The message as it is handed to the transport: the secret where the stored copy has its placeholder. */
export function withSecret(message: { text: string; html: string | null }, secret: OpenedSecret) {
  return {
    text: message.text.replaceAll(secret.placeholder, secret.value),
    html: message.html?.replaceAll(escapeHtml(secret.placeholder), escapeHtml(secret.value)) ?? null,
  };
}
