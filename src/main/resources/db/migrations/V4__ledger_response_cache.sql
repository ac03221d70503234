-- The response cache: what served the request (HIT, SEMANTIC_HIT; NULL when the upstream answered) and the USD
-- the upstream would have charged for a cached answer, x 10^10 like cost_e10_usd (NULL unless served from the cache).
ALTER TABLE usage_ledger ADD COLUMN cache_status TEXT;
ALTER TABLE usage_ledger ADD COLUMN saved_e10_usd INTEGER;
