-- CreateEnum
CREATE TYPE "EmailTokenPurpose" AS ENUM ('VERIFY_EMAIL', 'CHANGE_EMAIL');

-- AlterTable
ALTER TABLE "users" ADD COLUMN     "email_verified_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "password_reset_tokens" ADD COLUMN     "revoked_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "email_tokens" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "purpose" "EmailTokenPurpose" NOT NULL,
    "email" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "email_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "email_tokens_token_hash_key" ON "email_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "email_tokens_user_id_purpose_idx" ON "email_tokens"("user_id", "purpose");

-- AddForeignKey
ALTER TABLE "email_tokens" ADD CONSTRAINT "email_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Backfill (hand-written). Existing accounts start unverified: nothing ever proved that whoever
-- registered an address receives its mail, and anything linked by email later (guest orders, an
-- identity provider) must not reach an account that merely typed the address. They verify with
-- resendVerificationEmail. Admins are the exception: their address is the operator's ADMIN_EMAIL.
UPDATE "users" SET "email_verified_at" = "created_at" WHERE 'ADMIN' = ANY("roles");

-- Reset events written before tokens were sealed carried the token in clear: the outbox keeps no
-- copy of it (an unpublished one goes out without it and is not mailed).
UPDATE "outbox_event" SET "envelope" = "envelope" #- '{data,token}' WHERE "type" = 'users.password_reset.requested';
