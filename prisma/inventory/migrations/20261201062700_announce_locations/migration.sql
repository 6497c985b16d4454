-- Announce every stock location that exists (`inventory.location.changed`), through the outbox,
-- so the orders service's read model of locations knows those made before the event existed.
-- Data only: no table changes, and no row of any table is touched.
INSERT INTO "outbox_event" ("id", "type", "envelope", "occurred_at")
SELECT "event_id", 'inventory.location.changed',
       jsonb_build_object(
         'id', "event_id"::text,
         'type', 'inventory.location.changed',
         'occurredAt', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
         'source', 'inventory',
         'data', jsonb_build_object(
           'locationId', "id"::text,
           'name', "name",
           'active', "active",
           'updatedAt', to_char("updated_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
         )
       ),
       now()
  FROM (SELECT gen_random_uuid() AS "event_id", * FROM "stock_locations") AS "locations";
