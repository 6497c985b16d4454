import { opaqueParameter } from "../database/sqlPool";

/**
 * The record of events applied by a consumer (`processed_event`), as a piece of SQL a handler can
 * put in its own first statement: the consumer's insert, a round trip of its own, is then gone.
 */

/** What a consumer records of a batch: its name and the events' ids, lower case, each once, sorted. */
export interface AppliedRecord {
  consumer: string;
  ids: readonly string[];
}

/**
 * The insert of an `AppliedRecord` given as parameters `$first` (the consumer) and `$first + 1`
 * (the ids), answering `event_id` (text) of each id not recorded before: the others are
 * duplicates. The ids come sorted (`appliedRecordOf`), so two transactions recording some of the
 * same ids take their index locks in one order; they are hidden from the planner
 * (`opaqueParameter`), so the handler's statement keeps its generic plan.
 */
export const appliedRecordInsert = (first: number) => `INSERT INTO processed_event (consumer, event_id)
     SELECT $${first}::text, id FROM unnest(${opaqueParameter(`$${first + 1}`, "uuid[]")}) AS id
   ON CONFLICT DO NOTHING RETURNING event_id::text AS event_id`;

/** The record of these ids for a consumer, as `appliedRecordInsert` takes it. */
export function appliedRecordOf(consumer: string, ids: readonly string[]): AppliedRecord {
  return { consumer, ids: [...new Set(ids.map((id) => id.toLowerCase()))].sort() };
}

/** The two parameters of `appliedRecordInsert`; no record inserts nothing. */
export function appliedRecordParameters(record: AppliedRecord | undefined): [string, string[]] {
  return [record?.consumer ?? "", [...(record?.ids ?? [])]];
}
