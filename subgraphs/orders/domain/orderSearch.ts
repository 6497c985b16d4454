import { BadUserInputError } from "../../common/errors";
import { parseAmount } from "../../common/money";
import { afterNewestFirst, newestFirstCursor, pageSize, toConnection, type Connection } from "../../common/pagination";
import { requiredText } from "../../common/validation";
import type { OrderStatus } from "../generated/prisma/client";
import type { OrdersReader } from "../store/database";
import type { OrderRecord } from "../store/records";

export interface OrderSearchFilter {
  number?: string | null;
  email?: string | null;
  statuses?: readonly OrderStatus[] | null;
  placedFrom?: Date | null;
  placedBefore?: Date | null;
  totalAtLeast?: string | null;
  totalAtMost?: string | null;
}

/**
 * The Prisma `where` of a search, checked: at least one criterion, ranges the right way round.
 * An email no customer has finds nothing (an empty `in`). Totals compare minor units, so one
 * currency is assumed (the shop's).
 */
export async function orderSearchWhere(db: OrdersReader, filter: OrderSearchFilter) {
  const given = Object.values(filter).some((value) => value !== null && value !== undefined);
  if (!given) throw new BadUserInputError("Give at least one thing to search by.", "filter");
  const number = filter.number ? requiredText(filter.number, "filter.number", { max: 30 }).toUpperCase() : null;
  const statuses = filter.statuses ?? null;
  if (statuses && (statuses.length === 0 || statuses.length > 7))
    throw new BadUserInputError("Give 1 to 7 statuses.", "filter.statuses");
  const from = filter.placedFrom ?? null;
  const before = filter.placedBefore ?? null;
  if (from && before && before <= from)
    throw new BadUserInputError("`placedBefore` must come after `placedFrom`.", "filter.placedBefore");
  const least = filter.totalAtLeast ? parseAmount(filter.totalAtLeast, "filter.totalAtLeast") : null;
  const most = filter.totalAtMost ? parseAmount(filter.totalAtMost, "filter.totalAtMost") : null;
  if (least !== null && most !== null && most < least)
    throw new BadUserInputError("`totalAtMost` must not be below `totalAtLeast`.", "filter.totalAtMost");
  let customerIds: string[] | null = null;
  if (filter.email) {
    const email = requiredText(filter.email, "filter.email", { max: 254 }).toLowerCase();
    customerIds = (await db.orderCustomer.findMany({ where: { email }, select: { customerId: true } })).map(
      (row) => row.customerId,
    );
  }
  return {
    ...(number ? { number } : {}),
    ...(customerIds ? { customerId: { in: customerIds } } : {}),
    ...(statuses ? { status: { in: [...statuses] } } : {}),
    ...(from || before ? { createdAt: { ...(from ? { gte: from } : {}), ...(before ? { lt: before } : {}) } } : {}),
    ...(least !== null || most !== null
      ? { totalMinor: { ...(least !== null ? { gte: least } : {}), ...(most !== null ? { lte: most } : {}) } }
      : {}),
  };
}

/** A page of the orders a back-office search finds, newest first. */
export async function orderSearchPage(
  db: OrdersReader,
  filter: OrderSearchFilter,
  args: { first?: number | null; after?: string | null },
): Promise<Connection<OrderRecord>> {
  const size = pageSize(args.first);
  const where = await orderSearchWhere(db, filter);
  const rows = await db.order.findMany({
    where: { ...where, ...afterNewestFirst(args.after) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: size + 1,
  });
  return toConnection(rows, size, newestFirstCursor, () => db.order.count({ where }));
}
