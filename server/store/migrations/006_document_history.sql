-- Every accepted revision of every replicated document, for a record's history ("who
-- changed what, when, at which revision"). Written by each push transaction, in one
-- statement, from the documents it wrote: the history never holds a revision that was
-- not committed. (Two rows for the same id in one push keep only the later revision.)
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
