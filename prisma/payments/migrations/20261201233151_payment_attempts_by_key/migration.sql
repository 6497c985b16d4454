-- A final answer from the provider settles the other open calls of its idempotency key
-- (payments.attempt.settle, payments.capture.writeAnswers, reconcileOpenAttemptsNow). Without an
-- index each of those was a sequential scan of every call ever made: at 400,000 calls the generic
-- plan of payments.attempt.settle cost 12,765 (scripts/explainHotPaths.ts). A plain CREATE INDEX,
-- as every migration here: it runs in the migration's transaction, where CONCURRENTLY cannot.
CREATE INDEX "payment_attempts_idempotency_key_idx" ON "payment_attempts"("idempotency_key");
