-- CreateEnum
CREATE TYPE "TemplateChange" AS ENUM ('SAVED', 'RESET');

-- AlterTable
ALTER TABLE "known_users" ADD COLUMN     "contact_facts_at" TIMESTAMPTZ(3),
ADD COLUMN     "phone_number" TEXT;

-- CreateTable
CREATE TABLE "known_push_devices" (
    "device_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "token" TEXT NOT NULL,
    "platform" TEXT NOT NULL,

    CONSTRAINT "known_push_devices_pkey" PRIMARY KEY ("device_id")
);

-- CreateTable
CREATE TABLE "notification_kind_preferences" (
    "user_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "channel" "NotificationChannel" NOT NULL,
    "enabled" BOOLEAN NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "notification_kind_preferences_pkey" PRIMARY KEY ("user_id","kind","channel")
);

-- CreateTable
CREATE TABLE "notification_templates" (
    "kind" TEXT NOT NULL,
    "channel" "NotificationChannel" NOT NULL,
    "version" INTEGER NOT NULL,
    "customized" BOOLEAN NOT NULL,
    "subject" TEXT,
    "text" TEXT,
    "html" TEXT,
    "updated_by" UUID NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "notification_templates_pkey" PRIMARY KEY ("kind","channel")
);

-- CreateTable
CREATE TABLE "notification_template_versions" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "channel" "NotificationChannel" NOT NULL,
    "version" INTEGER NOT NULL,
    "change" "TemplateChange" NOT NULL,
    "subject" TEXT,
    "text" TEXT,
    "html" TEXT,
    "changed_by" UUID NOT NULL,
    "changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notification_template_versions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "known_push_devices_user_id_idx" ON "known_push_devices"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "notification_template_versions_kind_channel_version_key" ON "notification_template_versions"("kind", "channel", "version");
