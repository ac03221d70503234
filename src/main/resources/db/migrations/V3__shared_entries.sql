-- The state a fleet shares (gateway clients, provider keys added through the admin API), versioned, with
-- deletion markers kept so every node converges on the newest change (see dev.ensemble.model.SharedEntry).
-- Replaces the clients and provider_keys tables; their rows move here with their creation time as version.
CREATE TABLE shared_entries (
  kind     TEXT NOT NULL,
  id       TEXT NOT NULL,
  version  INTEGER NOT NULL,
  deleted  INTEGER NOT NULL DEFAULT 0,
  body     TEXT NOT NULL,
  PRIMARY KEY (kind, id)
);

INSERT INTO shared_entries (kind, id, version, deleted, body)
  SELECT 'client', id, created_at, 0, json_object(
    'id', id, 'name', name, 'key_hash', key_hash, 'monthly_budget_usd', monthly_budget_usd, 'rpm_limit', rpm_limit,
    'on_disconnect', on_disconnect, 'created_at', strftime('%Y-%m-%dT%H:%M:%fZ', created_at / 1000.0, 'unixepoch'))
  FROM clients;

INSERT INTO shared_entries (kind, id, version, deleted, body)
  SELECT 'key', provider || '/' || name, created_at, 0, json_object(
    'id', id, 'provider', provider, 'name', name, 'ciphertext', CAST(api_key_ciphertext AS TEXT), 'weight', weight,
    'endpoints_json', endpoints_json, 'created_at', created_at)
  FROM provider_keys WHERE disabled = 0;

DROP TABLE clients;
DROP TABLE provider_keys;
