-- GET /tasks?q= searches the text of each task's context (an e-mail address, an order number) with
-- `context::text ILIKE '%…%'`. A trigram index serves that search on a million tasks. pg_trgm ships with
-- PostgreSQL's contrib (trusted since PostgreSQL 13, so a database owner may create it) and is loaded into
-- embedded PGlite by db/client.ts. Where it cannot be created the search still works, by scanning.
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
  CREATE INDEX IF NOT EXISTS tasks_context_trgm ON tasks USING gin ((context::text) gin_trgm_ops);
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'pg_trgm is not available (%): task search scans the tasks table', SQLERRM;
END
$$;
