-- DropIndex
DROP INDEX "notifications_source_event_id_user_id_channel_key";

-- AlterTable
ALTER TABLE "notifications" ADD COLUMN     "sealed_secret" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "notifications_source_event_id_user_id_channel_kind_key" ON "notifications"("source_event_id", "user_id", "channel", "kind");

-- Hand-written. Reset emails stored before links were sealed kept their token in clear until
-- sent (and for good when they failed): no stored copy keeps one now. Those not sent yet are
-- withdrawn rather than sent without a working link (the user asks for a new one).
UPDATE "notifications"
   SET "body" = regexp_replace("body", 'token=[^\s"&<]+', 'token=[not kept]', 'g'),
       "html" = regexp_replace("html", 'token=[^\s"&<]+', 'token=[not kept]', 'g')
 WHERE "kind" = 'PASSWORD_RESET';
UPDATE "notifications"
   SET "delivery_status" = 'FAILED', "next_attempt_at" = NULL,
       "status_reason" = 'withdrawn: its link was stored in clear, which is no longer done'
 WHERE "kind" = 'PASSWORD_RESET' AND "delivery_status" = 'PENDING';
