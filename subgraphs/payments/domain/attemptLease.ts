/**
 * How long one try at a capture or refund holds its row: a try that has not finished by then (a
 * crashed process) is taken up again by the worker. A refund made at once by the request that
 * asked for it is created already leased, so the worker does not make the same call beside it.
 */
export const attemptLeaseMs = 30_000;
