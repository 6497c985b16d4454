-- CreateTable
CREATE TABLE "audit_entry" (
    "id" UUID NOT NULL,
    "service" TEXT NOT NULL,
    "actor_kind" TEXT NOT NULL,
    "actor_id" UUID,
    "entity_type" TEXT NOT NULL,
    "entity_id" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "before" JSONB,
    "after" JSONB,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "audit_entry_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "audit_entry_entity_type_entity_id_occurred_at_id_idx" ON "audit_entry"("entity_type", "entity_id", "occurred_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "audit_entry_actor_id_occurred_at_id_idx" ON "audit_entry"("actor_id", "occurred_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "audit_entry_occurred_at_id_idx" ON "audit_entry"("occurred_at" DESC, "id" DESC);

-- The audit log is append-only: a trigger refuses every UPDATE and DELETE of an entry, whoever asks.
-- The function body is an escaped string whose statement end is written as the octal escape 073,
-- because the migration engine splits the file at every semicolon, even inside dollar quotes.
CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS E'BEGIN RAISE EXCEPTION ''audit entries are never changed or removed'' USING ERRCODE = ''insufficient_privilege''\073 END';

CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON "audit_entry"
  FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
