-- Indexes no query of the product uses, dropped: every ledger row had to be inserted into each of them on the
-- persistence worker. The usage report (GET /admin/usage) and the clients' spend this month filter by finished_at
-- (usage_ledger_finished_at, kept) and group the rows of that range in a temporary B-tree; the planner never chose the
-- (provider|endpoint|model, finished_at) indexes for them, and (client_id, finished_at) made the spend this month read
-- every row the client ever had instead of this month's.
DROP INDEX IF EXISTS usage_ledger_provider;
DROP INDEX IF EXISTS usage_ledger_endpoint;
DROP INDEX IF EXISTS usage_ledger_model;
DROP INDEX IF EXISTS usage_ledger_client;
