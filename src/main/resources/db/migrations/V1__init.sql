-- Provider API keys added through the admin API; the key itself only as AES-GCM ciphertext.
CREATE TABLE provider_keys (
  id                 TEXT PRIMARY KEY,
  provider           TEXT NOT NULL,
  name               TEXT NOT NULL,
  api_key_ciphertext BLOB NOT NULL,
  weight             REAL NOT NULL DEFAULT 1.0,
  endpoints_json     TEXT NOT NULL DEFAULT '[]',
  created_at         INTEGER NOT NULL,
  disabled           INTEGER NOT NULL DEFAULT 0,
  UNIQUE (provider, name)
);

-- Gateway client keys: only the hash of the key is kept.
CREATE TABLE clients (
  id                 TEXT PRIMARY KEY,
  name               TEXT NOT NULL,
  key_hash           TEXT NOT NULL UNIQUE,
  monthly_budget_usd TEXT,
  rpm_limit          INTEGER,
  on_disconnect      TEXT NOT NULL DEFAULT 'continue',
  created_at         INTEGER NOT NULL
);

-- One row per client request. Times are epoch milliseconds. Cost is exact: an integer number of
-- 10^-10 USD (the scale CostCalculator rounds to), so SUM() over it stays exact.
CREATE TABLE usage_ledger (
  request_id         TEXT PRIMARY KEY,
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
  finished_at        INTEGER NOT NULL
);
CREATE INDEX usage_ledger_finished_at ON usage_ledger (finished_at);
CREATE INDEX usage_ledger_provider ON usage_ledger (provider, finished_at);
CREATE INDEX usage_ledger_endpoint ON usage_ledger (endpoint, finished_at);
CREATE INDEX usage_ledger_model ON usage_ledger (model, finished_at);
CREATE INDEX usage_ledger_client ON usage_ledger (client_id, finished_at);

-- Where each persisted response lives in the response store.
CREATE TABLE responses (
  id           TEXT PRIMARY KEY,
  status       TEXT NOT NULL,
  client_id    TEXT,
  model        TEXT,
  provider     TEXT,
  created_at   INTEGER NOT NULL,
  completed_at INTEGER,
  store_key    TEXT NOT NULL
);
CREATE INDEX responses_created_at ON responses (created_at);
