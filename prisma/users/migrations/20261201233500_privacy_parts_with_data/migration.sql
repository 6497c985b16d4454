-- The purge of expired exports (purgeExpiredExports, every ten minutes) looks for the parts that
-- still hold data: an export's until it expires, an erasure's never. That is a handful among every
-- part ever answered, and without an index the purge read them all (a sequential scan of
-- privacy_request_parts, scripts/explainHotPaths.ts). A partial index holds only those parts.
-- Prisma's schema cannot say WHERE, so the index lives here only (see the model's comment).
CREATE INDEX "privacy_request_parts_with_data" ON "privacy_request_parts"("request_id") WHERE "data" IS NOT NULL;
