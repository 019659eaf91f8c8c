-- Workspaces own every replicated document. change_seq is the workspace's change
-- counter: each write transaction increments it (taking the row lock) and stamps the
-- new value on every document it writes. See sql-store.ts for why this is gap-free.
CREATE TABLE workspaces (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  change_seq  bigint NOT NULL DEFAULT 0,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- One generic table for every replicated collection; content fields live in data.
CREATE TABLE documents (
  collection    text NOT NULL,
  id            text NOT NULL,
  workspace_id  text NOT NULL REFERENCES workspaces (id),
  revision      integer NOT NULL,
  updated_at    timestamptz NOT NULL,
  updated_by    text NULL,
  deleted       boolean NOT NULL DEFAULT false,
  change_seq    bigint NOT NULL,
  data          jsonb NOT NULL,
  PRIMARY KEY (collection, id)
);

-- Pull of one collection by checkpoint (seq, id).
CREATE INDEX documents_pull_idx ON documents (collection, workspace_id, change_seq, id);

-- The change feed reads every collection of a workspace above a seq in one query.
CREATE INDEX documents_feed_idx ON documents (workspace_id, change_seq);
