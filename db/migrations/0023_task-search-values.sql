-- GET /tasks?q=<an e-mail address> at a million tasks: the trigram index on context::text (0003) reads
-- ≈ 3,200 pages for one address, because every trigram of `user1234@example34.com` occurs in 1% or more
-- of the tasks. Instead the values of each task's identity fields (the template's `identity.fields`, an
-- e-mail address for the registration templates), lowercased, are kept in a table of their own with a
-- btree on the value: lib/reads/task-filter-sql.ts looks q up there first.
-- The table is kept by the database in the transaction that writes the task, whoever writes it
-- (createTask, createTasks, a context edit, a bulk seed): a statement trigger after INSERT on tasks (set-
-- based: one statement for a batch of tasks) and a row trigger after an UPDATE that changes the context.
-- Rows go with their task (ON DELETE CASCADE; retention deletes tasks). Order below: the triggers are
-- created first (their lock on tasks holds writers off until this migration commits, so no task is
-- written between the backfill and the triggers), then the backfill, then the indexes (faster after).
CREATE TABLE "task_search_values" (
	"task_id" bigint NOT NULL,
	"value" text NOT NULL
);
--> statement-breakpoint
-- The rule, in one place: each identity field of the task's template version, read from the context
-- by its dotted path, when it is a string, number or boolean there; lowercased (q is lowercased the same
-- way, in SQL, so the case folding is the database's, as ILIKE's is).
CREATE FUNCTION switchyard_identity_values(template_version bigint, context jsonb) RETURNS SETOF text LANGUAGE sql STABLE AS $$
  SELECT lower(context #>> string_to_array(f.field, '.'))
  FROM template_versions v CROSS JOIN LATERAL jsonb_array_elements_text(v.definition->'identityFields') AS f(field)
  WHERE v.id = template_version AND jsonb_typeof(context #> string_to_array(f.field, '.')) IN ('string', 'number', 'boolean')
$$;--> statement-breakpoint
CREATE FUNCTION switchyard_task_search_values_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO task_search_values (task_id, value)
  SELECT t.id, v.value FROM new_tasks t CROSS JOIN LATERAL switchyard_identity_values(t.template_version_id, t.context) AS v(value)
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE FUNCTION switchyard_task_search_values_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM task_search_values WHERE task_id = NEW.id;
  INSERT INTO task_search_values (task_id, value)
  SELECT NEW.id, v.value FROM switchyard_identity_values(NEW.template_version_id, NEW.context) AS v(value)
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER tasks_search_values_insert AFTER INSERT ON tasks REFERENCING NEW TABLE AS new_tasks
  FOR EACH STATEMENT EXECUTE FUNCTION switchyard_task_search_values_inserted();--> statement-breakpoint
-- UPDATE OF: the hot path's updates of a task (status, counters) never name these columns, so the trigger
-- costs them nothing.
CREATE TRIGGER tasks_search_values_update AFTER UPDATE OF context, template_version_id ON tasks FOR EACH ROW
  WHEN (OLD.context IS DISTINCT FROM NEW.context OR OLD.template_version_id IS DISTINCT FROM NEW.template_version_id)
  EXECUTE FUNCTION switchyard_task_search_values_updated();--> statement-breakpoint
INSERT INTO task_search_values (task_id, value)
SELECT DISTINCT t.id, v.value FROM tasks t CROSS JOIN LATERAL switchyard_identity_values(t.template_version_id, t.context) AS v(value);
--> statement-breakpoint
ALTER TABLE "task_search_values" ADD CONSTRAINT "task_search_values_task_id_value_pk" PRIMARY KEY("task_id","value");--> statement-breakpoint
ALTER TABLE "task_search_values" ADD CONSTRAINT "task_search_values_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "task_search_values_value" ON "task_search_values" USING btree ("value","task_id");--> statement-breakpoint
ANALYZE task_search_values;
