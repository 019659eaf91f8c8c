-- Accounts: users with scrypt password hashes, workspace memberships with roles, and
-- rotating refresh tokens (stored hashed; a token family is revoked when a used token
-- is presented again, which means it was stolen).
CREATE TABLE users (
  id                   text PRIMARY KEY,
  email                text NOT NULL UNIQUE,
  password_hash        text NOT NULL,
  password_changed_at  timestamptz NOT NULL DEFAULT now(),
  created_at           timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE memberships (
  workspace_id  text NOT NULL REFERENCES workspaces (id),
  user_id       text NOT NULL REFERENCES users (id),
  role          text NOT NULL CHECK (role IN ('owner', 'member', 'viewer')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);

CREATE TABLE refresh_tokens (
  token_hash   text PRIMARY KEY,
  user_id      text NOT NULL REFERENCES users (id),
  family_id    text NOT NULL,
  expires_at   timestamptz NOT NULL,
  used_at      timestamptz NULL,
  revoked_at   timestamptz NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
