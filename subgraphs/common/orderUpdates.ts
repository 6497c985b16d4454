/**
 * Live order status over Redis pub/sub: the orders service publishes every transition after it
 * commits; every router replica listens for the orders its subscribers watch.
 */
export interface OrderUpdate {
  orderId: string;
  customerId: string;
  number: string;
  status: string;
  cancellationReason: string | null;
  /** When the change was committed (ISO-8601), for clients and latency measurements. */
  at: string;
  /**
   * A change that leaves the order's status as it is (a parcel shipped or moved): names it, such
   * as `fulfillment:<id>:IN_TRANSIT`, so subscribers are told each once. Absent for status changes.
   */
  step?: string;
}

export function orderChannel(keyPrefix: string, orderId: string): string {
  return `${keyPrefix}orders:status:${orderId}`;
}

export function customerOrdersChannel(keyPrefix: string, customerId: string): string {
  return `${keyPrefix}orders:customer:${customerId}`;
}
