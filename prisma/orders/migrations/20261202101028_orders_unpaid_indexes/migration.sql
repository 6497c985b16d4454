-- The unpaid orders (PENDING, AWAITING_PAYMENT) get partial indexes, in place of indexes on every
-- order. An order's row is updated at each status change and `status` is indexed, so no update is
-- HOT: each leaves an entry in every index until a vacuum. The placement's check of a customer's
-- unpaid orders found them through `orders_status_payment_deadline_idx` (a bitmap AND with the
-- customer's index), so it read the status entries of every order placed since the last vacuum:
-- 3,514 entries per placement at the end of a 20 s bench, 2.2 million in all (pg_stat_user_indexes
-- of a kept bench). Each partial index holds only the rows its look-up wants, and a confirmed
-- order's version adds no entry to them. Prisma's schema cannot say WHERE, so they live here only
-- (see the Order model's comment).

-- The placement's and `unpaidTotals`' count of a customer's unpaid orders.
CREATE INDEX "orders_unpaid_customer_id" ON "orders"("customer_id") WHERE "status" IN ('PENDING', 'AWAITING_PAYMENT');

-- The payment-window worker's poll (`lockOverdueOrders`), in deadline order.
DROP INDEX "orders_status_payment_deadline_idx";
CREATE INDEX "orders_unpaid_payment_deadline" ON "orders"("payment_deadline") WHERE "status" IN ('PENDING', 'AWAITING_PAYMENT');

-- A guest client's unpaid orders (the placement's `client_held`, `unpaidTotals`): only guest orders have a client key.
DROP INDEX "orders_client_key_status_idx";
CREATE INDEX "orders_unpaid_client_key" ON "orders"("client_key") WHERE "client_key" IS NOT NULL AND "status" IN ('PENDING', 'AWAITING_PAYMENT');

-- A guest email's orders (their unpaid ones, attaching them to the account that verified it): only guest orders have one.
DROP INDEX "orders_guest_email_idx";
CREATE INDEX "orders_guest_email" ON "orders"("guest_email") WHERE "guest_email" IS NOT NULL;
