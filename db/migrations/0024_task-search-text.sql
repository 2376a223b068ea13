-- GET /tasks?q= with a q that many tasks hold (`example42.com`: 1% of them) walks the newest tasks and
-- tests each context: `context::text ILIKE`, where printing the jsonb as text is most of the ≈ 8 µs a row
-- (50–60 ms for the 5,000 rows of a page at a million tasks). The text is now kept, lowercased, beside
-- the task: `text LIKE lower('%q%')` is the same test (ILIKE lowercases both sides the same way) on text
-- already printed. The trigram index moves with it (0003, 0007: statistics 500 for the planner's choice
-- between walking the newest tasks and the index). Kept by the triggers of 0023 in the task's
-- transaction, removed with the task (ON DELETE CASCADE). Triggers first (they hold writers off until
-- this commits), then the backfill, then the indexes.
CREATE TABLE "task_search_text" (
	"task_id" bigint NOT NULL,
	"text" text NOT NULL
);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION switchyard_task_search_values_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO task_search_values (task_id, value)
  SELECT t.id, v.value FROM new_tasks t CROSS JOIN LATERAL switchyard_identity_values(t.template_version_id, t.context) AS v(value)
  ON CONFLICT DO NOTHING;
  INSERT INTO task_search_text (task_id, text) SELECT t.id, lower(t.context::text) FROM new_tasks t;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION switchyard_task_search_values_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM task_search_values WHERE task_id = NEW.id;
  INSERT INTO task_search_values (task_id, value)
  SELECT NEW.id, v.value FROM switchyard_identity_values(NEW.template_version_id, NEW.context) AS v(value)
  ON CONFLICT DO NOTHING;
  INSERT INTO task_search_text (task_id, text) VALUES (NEW.id, lower(NEW.context::text))
  ON CONFLICT (task_id) DO UPDATE SET text = excluded.text;
  RETURN NULL;
END
$$;--> statement-breakpoint
INSERT INTO task_search_text (task_id, text) SELECT id, lower(context::text) FROM tasks;
--> statement-breakpoint
ALTER TABLE "task_search_text" ADD CONSTRAINT "task_search_text_pkey" PRIMARY KEY("task_id");--> statement-breakpoint
ALTER TABLE "task_search_text" ADD CONSTRAINT "task_search_text_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
DROP INDEX IF EXISTS tasks_context_trgm;--> statement-breakpoint
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
  CREATE INDEX IF NOT EXISTS task_search_text_trgm ON task_search_text USING gin (text gin_trgm_ops);
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'pg_trgm is not available (%): task search scans task_search_text', SQLERRM;
END
$$;--> statement-breakpoint
ALTER TABLE task_search_text ALTER COLUMN text SET STATISTICS 500;--> statement-breakpoint
ANALYZE task_search_text;
