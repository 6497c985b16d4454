import type { PaymentProvider, ProviderName } from "./paymentProvider";

/**
 * The providers this process is configured for, and the one new token payments and saved cards
 * go to. A payment keeps the provider it was opened with (a saved card, the one it was saved
 * with), so its refunds and reconciliation reach the same one even after the default changes.
 */
export class PaymentProviders {
  private readonly byName: ReadonlyMap<string, PaymentProvider>;

  constructor(
    readonly defaultName: ProviderName,
    providers: readonly PaymentProvider[],
  ) {
    this.byName = new Map(providers.map((provider) => [provider.name, provider]));
    if (!this.byName.has(defaultName)) throw new Error(`the default payment provider ${defaultName} is not configured`);
  }

  get default(): PaymentProvider {
    return this.get(this.defaultName);
  }

  /** The named provider, which must be configured here. */
  get(name: string): PaymentProvider {
    const provider = this.byName.get(name);
    if (!provider) throw new Error(`payment provider ${name} is not configured in this process`);
    return provider;
  }

  find(name: string): PaymentProvider | undefined {
    return this.byName.get(name);
  }
}
