-- AlterTable
ALTER TABLE "notifications" ADD COLUMN     "attempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "html" TEXT,
ADD COLUMN     "next_attempt_at" TIMESTAMPTZ(3),
ADD COLUMN     "recipient" TEXT,
ADD COLUMN     "sent_at" TIMESTAMPTZ(3),
ADD COLUMN     "source_event_id" UUID NOT NULL,
ADD COLUMN     "status_reason" TEXT;

-- CreateTable
CREATE TABLE "notification_preferences" (
    "user_id" UUID NOT NULL,
    "email" BOOLEAN NOT NULL DEFAULT true,
    "sms" BOOLEAN NOT NULL DEFAULT false,
    "push" BOOLEAN NOT NULL DEFAULT false,
    "order_updates" BOOLEAN NOT NULL DEFAULT true,
    "marketing" BOOLEAN NOT NULL DEFAULT false,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "notification_preferences_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "known_users" (
    "user_id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "is_admin" BOOLEAN NOT NULL DEFAULT false,
    "facts_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "known_users_pkey" PRIMARY KEY ("user_id")
);

-- CreateIndex
CREATE INDEX "known_users_is_admin_idx" ON "known_users"("is_admin");

-- CreateIndex
CREATE INDEX "notifications_delivery_status_next_attempt_at_idx" ON "notifications"("delivery_status", "next_attempt_at");

-- CreateIndex
CREATE UNIQUE INDEX "notifications_source_event_id_user_id_channel_key" ON "notifications"("source_event_id", "user_id", "channel");
