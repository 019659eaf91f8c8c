-- Idempotent public-API writes: the answer to each (caller, clientMutationId), so a
-- retry gets the first answer back instead of writing again. A row is reserved (outcome
-- NULL) before the write runs, so a concurrent duplicate waits instead of writing too.
CREATE TABLE mutation_outcomes (
  user_id             text NOT NULL REFERENCES users (id),
  client_mutation_id  text NOT NULL,
  operation           text NOT NULL,
  outcome             jsonb NULL,
  created_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, client_mutation_id)
);
