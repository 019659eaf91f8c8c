-- Invitations by email: an owner invites someone who has no account yet; they join the
-- workspace with the role when they sign up with that email.
CREATE TABLE invitations (
  workspace_id  text NOT NULL REFERENCES workspaces (id),
  email         text NOT NULL,
  role          text NOT NULL CHECK (role IN ('member', 'viewer')),
  invited_by    text NOT NULL REFERENCES users (id),
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, email)
);
CREATE INDEX invitations_by_email ON invitations (email);
