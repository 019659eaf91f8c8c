-- Every accepted revision of every replicated document, for a record's history ("who
-- changed what, when, at which revision"). Written in the same transaction as the
-- document itself, so the history never misses or invents a revision.
CREATE TABLE document_history (
  collection    text NOT NULL,
  id            text NOT NULL,
  revision      integer NOT NULL,
  workspace_id  text NOT NULL REFERENCES workspaces (id),
  updated_at    timestamptz NOT NULL,
  updated_by    text NULL,
  deleted       boolean NOT NULL,
  data          jsonb NOT NULL,
  PRIMARY KEY (collection, id, revision)
);

-- Documents written before history was kept start with their current revision.
INSERT INTO document_history (collection, id, revision, workspace_id, updated_at, updated_by, deleted, data)
SELECT collection, id, revision, workspace_id, updated_at, updated_by, deleted, data FROM documents;
