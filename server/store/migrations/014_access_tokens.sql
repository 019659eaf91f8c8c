-- Personal access tokens for integrations (public API, docs/api.md): each is scoped to
-- one workspace, read-only or read-write, optionally expiring, revocable. Only the
-- SHA-256 of the secret is stored; the secret is shown once, at creation.
CREATE TABLE access_tokens (
  id            text PRIMARY KEY,
  token_hash    text NOT NULL UNIQUE,
  user_id       text NOT NULL REFERENCES users (id),
  workspace_id  text NOT NULL REFERENCES workspaces (id),
  name          text NOT NULL,
  read_only     boolean NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NULL,
  last_used_at  timestamptz NULL,
  revoked_at    timestamptz NULL
);
CREATE INDEX access_tokens_user_idx ON access_tokens (user_id);
