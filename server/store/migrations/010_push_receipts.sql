-- Idempotent pushes. A client sends a write id with every push (retries of the same
-- batch reuse it). The push transaction first claims (workspace, write id) here; a
-- duplicate that arrives while the first is in flight blocks on the claim's unique key
-- until that transaction ends, then finds the stored answer and returns it unchanged.
-- request_hash guards against a write id reused for different rows. Receipts older
-- than the configured TTL are purged by the maintenance job.
CREATE TABLE push_receipts (
  workspace_id  text NOT NULL REFERENCES workspaces (id),
  write_id      text NOT NULL,
  request_hash  text NOT NULL,
  answer        jsonb NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, write_id)
);
CREATE INDEX push_receipts_created_idx ON push_receipts (created_at);
