-- pg_trgm declares its similarity functions as cheap (cost 1), so for a search matching a few
-- percent of the catalog the planner preferred a sequential scan that evaluates word similarity
-- on every row (35 ms over 10,000 products) to the trigram and full-text GIN indexes (6 ms).
-- Their real cost is about that of a hundred simple operators.
ALTER FUNCTION word_similarity_op(text, text) COST 100;
ALTER FUNCTION word_similarity_commutator_op(text, text) COST 100;
ALTER FUNCTION word_similarity(text, text) COST 100;
