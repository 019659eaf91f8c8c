-- Public API pages (`tasks(workspaceId, after)`) walk a workspace's documents of one
-- collection in id order: this index serves them without sorting the workspace.
CREATE INDEX documents_by_id_idx ON documents (collection, workspace_id, id);
