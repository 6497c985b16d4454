-- A cart's lines as one comparable value (`variant:quantity`, by variant, NULL when it has none),
-- read with a snapshot of its own: VOLATILE, so it sees what committed after the calling
-- statement began. The statement that places an order in one go (checkoutSql.ts) calls it once
-- it holds the cart's lock, so a line committed while it waited for that lock is seen.
CREATE FUNCTION orders_cart_lines_now(cart uuid) RETURNS text LANGUAGE plpgsql VOLATILE AS E'BEGIN RETURN (SELECT string_agg(variant_id::text || '':'' || quantity, '','' ORDER BY variant_id) FROM cart_items WHERE cart_id = cart)\073 END';

-- Refuses the order the statement of checkoutSql.ts would place in one go, by raising an error
-- (so its idempotency claim is undone with the rest): SQLSTATE OR001, a class of our own, and
-- the refusal with the buyer's held unpaid orders and units as JSON in DETAIL (`refusalOf`).
CREATE FUNCTION orders_refuse_placement(refusal text, held_orders int, held_units int) RETURNS int LANGUAGE plpgsql VOLATILE AS E'BEGIN RAISE EXCEPTION USING ERRCODE = ''OR001'', MESSAGE = ''placement refused: '' || refusal, DETAIL = json_build_object(''refusal'', refusal, ''orders'', held_orders, ''units'', held_units)::text\073 END';
