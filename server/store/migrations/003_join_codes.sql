-- Join codes: an owner shares one to let people join a workspace with a given role.
-- Stored hashed; they expire.
CREATE TABLE join_codes (
  code_hash     text PRIMARY KEY,
  workspace_id  text NOT NULL REFERENCES workspaces (id),
  role          text NOT NULL CHECK (role IN ('member', 'viewer')),
  created_by    text NOT NULL REFERENCES users (id),
  expires_at    timestamptz NOT NULL
);
