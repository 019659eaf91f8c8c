-- Tombstone retention. Deleted documents are kept as tombstones so that clients learn
-- about deletions on pull; the maintenance job removes tombstones older than the
-- retention time. (purged_through_seq, purged_through_id) is the highest position
-- (change_seq, id) of a tombstone removed from the workspace: a client pulling from a
-- checkpoint below it may have missed a deletion, so it is answered CHECKPOINT_EXPIRED
-- and resyncs from scratch.
ALTER TABLE workspaces ADD COLUMN purged_through_seq bigint NOT NULL DEFAULT 0;
ALTER TABLE workspaces ADD COLUMN purged_through_id text NOT NULL DEFAULT '';

-- The purge finds old tombstones without scanning live documents.
CREATE INDEX documents_tombstones_idx ON documents (updated_at) WHERE deleted;
