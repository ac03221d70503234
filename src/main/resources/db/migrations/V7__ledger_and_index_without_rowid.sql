-- The two tables written per request, rebuilt clustered on their key (WITHOUT ROWID): a row is then inserted into one
-- B-tree keyed by its request id instead of a rowid table plus the id's unique index, and the id's lookups (the
-- ledger's INSERT OR IGNORE, GET /v1/responses/{id}) read one B-tree. Request ids begin with their time, so new rows
-- go to the right edge of the tree as they did with rowids. responses_created_at goes: the retention delete reads the
-- id's time instead (the store files each response under its id's day), through the primary key. A row without an id
-- (none is ever written) would keep its place in the ledger's sums under 'null-<rowid>'. Runs once, in the migration's
-- transaction, at the first start of this version (time: docs/operations.md "State on disk").
CREATE TABLE usage_ledger_v7 (
  request_id         TEXT PRIMARY KEY NOT NULL,
  client_id          TEXT,
  provider           TEXT,
  endpoint           TEXT,
  model              TEXT,
  upstream_model     TEXT,
  input_tokens       INTEGER,
  output_tokens      INTEGER,
  cache_read_tokens  INTEGER,
  cache_write_tokens INTEGER,
  cost_e10_usd       INTEGER,
  latency_ms         INTEGER NOT NULL,
  ttfb_ms            INTEGER,
  status             INTEGER NOT NULL,
  attempts           INTEGER NOT NULL,
  route_reason       TEXT,
  stream             INTEGER NOT NULL,
  finished_at        INTEGER NOT NULL,
  images             INTEGER,
  cache_status       TEXT,
  saved_e10_usd      INTEGER,
  reasoning_tokens   INTEGER
) WITHOUT ROWID;
INSERT INTO usage_ledger_v7 (request_id, client_id, provider, endpoint, model, upstream_model, input_tokens, output_tokens,
    cache_read_tokens, cache_write_tokens, cost_e10_usd, latency_ms, ttfb_ms, status, attempts, route_reason, stream,
    finished_at, images, cache_status, saved_e10_usd, reasoning_tokens)
  SELECT COALESCE(request_id, 'null-' || rowid), client_id, provider, endpoint, model, upstream_model, input_tokens,
    output_tokens, cache_read_tokens, cache_write_tokens, cost_e10_usd, latency_ms, ttfb_ms, status, attempts, route_reason,
    stream, finished_at, images, cache_status, saved_e10_usd, reasoning_tokens
  FROM usage_ledger ORDER BY request_id;
DROP TABLE usage_ledger;
ALTER TABLE usage_ledger_v7 RENAME TO usage_ledger;
CREATE INDEX usage_ledger_finished_at ON usage_ledger (finished_at);

CREATE TABLE responses_v7 (
  id           TEXT PRIMARY KEY NOT NULL,
  status       TEXT NOT NULL,
  client_id    TEXT,
  model        TEXT,
  provider     TEXT,
  created_at   INTEGER NOT NULL,
  completed_at INTEGER,
  store_key    TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO responses_v7 (id, status, client_id, model, provider, created_at, completed_at, store_key)
  SELECT id, status, client_id, model, provider, created_at, completed_at, store_key FROM responses WHERE id IS NOT NULL ORDER BY id;
DROP TABLE responses;
ALTER TABLE responses_v7 RENAME TO responses;
