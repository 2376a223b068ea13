CREATE TABLE "failing_steps" (
	"step_id" bigint PRIMARY KEY NOT NULL,
	"task_id" bigint NOT NULL,
	"namespace" text NOT NULL,
	"name" text NOT NULL,
	"step" text NOT NULL,
	"status" text NOT NULL,
	"error_signature" text NOT NULL,
	"failed_at" timestamp with time zone NOT NULL,
	"retrying_since" timestamp with time zone,
	"partial" text NOT NULL,
	CONSTRAINT "failing_steps_status_check" CHECK (status in ('error','waiting_retry'))
);
--> statement-breakpoint
ALTER TABLE "failing_steps" ADD CONSTRAINT "failing_steps_step_id_steps_id_fk" FOREIGN KEY ("step_id") REFERENCES "public"."steps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "failing_steps" ADD CONSTRAINT "failing_steps_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "failing_steps_task_id" ON "failing_steps" USING btree ("task_id");--> statement-breakpoint
CREATE INDEX "failing_steps_group" ON "failing_steps" USING btree ("namespace","name","step","status","error_signature","failed_at");--> statement-breakpoint
-- A task's steps as JSON text, [[name, service, status, position], …] in position order: the partial
-- state of a failing step's task (which services already hold the data).
CREATE FUNCTION switchyard_task_steps_state(of_task bigint) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT jsonb_agg(jsonb_build_array(o.name, o.service, o.status, o.position) ORDER BY o.position)::text FROM steps o WHERE o.task_id = $1;
$$;--> statement-breakpoint
-- The rows of tasks in error: one per step in error, each with the task's steps (the partial state).
-- Every change to a task in error, or into or out of error, updates the task row last (its counters
-- and status), so the trigger on tasks sees the task's final steps; the trigger on steps follows a
-- step's own status and error.
-- (unnest, not = ANY: = ANY with an array parameter is a linear search per row when the plan is a scan.)
CREATE FUNCTION switchyard_index_failed_tasks(task_ids bigint[]) RETURNS void LANGUAGE sql AS $$
  DELETE FROM failing_steps f USING unnest(task_ids) u(id) WHERE f.task_id = u.id AND f.status = 'error';
  INSERT INTO failing_steps (step_id, task_id, namespace, name, step, status, error_signature, failed_at, retrying_since, partial)
  SELECT s.id, t.id, t.namespace, t.name, s.name, 'error', coalesce(s.error_signature, ''),
    coalesce((s.last_error->>'at')::timestamptz, s.updated_at), NULL,
    switchyard_task_steps_state(t.id)
  FROM unnest(task_ids) u(id) JOIN tasks t ON t.id = u.id AND t.status = 'error'
    JOIN steps s ON s.task_id = t.id AND s.status = 'error'
  ON CONFLICT (step_id) DO UPDATE SET status = excluded.status, error_signature = excluded.error_signature,
    failed_at = excluded.failed_at, retrying_since = excluded.retrying_since, partial = excluded.partial;
$$;--> statement-breakpoint
-- The rows of steps waiting to retry, with the start of their round's first attempt (a step retrying
-- for longer than GET /failures' stuck_after_minutes is stuck), and their task's steps as of the step's
-- latest failure (written again at each failure; steps running beside it may have finished since).
CREATE FUNCTION switchyard_index_retrying_steps(step_ids bigint[]) RETURNS void LANGUAGE sql AS $$
  DELETE FROM failing_steps f USING unnest(step_ids) u(id) WHERE f.step_id = u.id AND f.status = 'waiting_retry';
  INSERT INTO failing_steps (step_id, task_id, namespace, name, step, status, error_signature, failed_at, retrying_since, partial)
  SELECT s.id, t.id, t.namespace, t.name, s.name, 'waiting_retry', coalesce(s.error_signature, ''),
    coalesce((s.last_error->>'at')::timestamptz, s.updated_at),
    (SELECT a.started_at FROM step_attempts a WHERE a.step_id = s.id AND a.number = s.round_start_attempts + 1),
    switchyard_task_steps_state(t.id)
  FROM unnest(step_ids) u(id) JOIN steps s ON s.id = u.id AND s.status = 'waiting_retry'
    JOIN tasks t ON t.id = s.task_id
  ON CONFLICT (step_id) DO UPDATE SET status = excluded.status, error_signature = excluded.error_signature,
    failed_at = excluded.failed_at, retrying_since = excluded.retrying_since, partial = excluded.partial;
$$;--> statement-breakpoint
-- Everything afresh: after this migration, and after seeding rows without going through updates.
CREATE FUNCTION switchyard_rebuild_failing_steps() RETURNS void LANGUAGE sql AS $$
  DELETE FROM failing_steps;
  SELECT switchyard_index_failed_tasks(coalesce((SELECT array_agg(id) FROM tasks WHERE status = 'error'), '{}'));
  SELECT switchyard_index_retrying_steps(coalesce((SELECT array_agg(id) FROM steps WHERE status = 'waiting_retry'), '{}'));
$$;--> statement-breakpoint
CREATE FUNCTION switchyard_failing_tasks_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM switchyard_index_failed_tasks(ARRAY[NEW.id]);
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE FUNCTION switchyard_failing_steps_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status = 'error' OR NEW.status = 'error' THEN
    PERFORM switchyard_index_failed_tasks(ARRAY[NEW.task_id]);
  END IF;
  IF OLD.status = 'waiting_retry' OR NEW.status = 'waiting_retry' THEN
    PERFORM switchyard_index_retrying_steps(ARRAY[NEW.id]);
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
-- The claim and completion of healthy steps never pass these WHEN clauses: no function runs for them.
CREATE TRIGGER tasks_failing AFTER UPDATE ON tasks FOR EACH ROW
  WHEN (OLD.status = 'error' OR NEW.status = 'error') EXECUTE FUNCTION switchyard_failing_tasks_trigger();--> statement-breakpoint
CREATE TRIGGER steps_failing AFTER UPDATE ON steps FOR EACH ROW
  WHEN ((OLD.status IN ('error', 'waiting_retry') OR NEW.status IN ('error', 'waiting_retry'))
    AND (OLD.status IS DISTINCT FROM NEW.status OR OLD.last_error IS DISTINCT FROM NEW.last_error))
  EXECUTE FUNCTION switchyard_failing_steps_trigger();--> statement-breakpoint
SELECT switchyard_rebuild_failing_steps();--> statement-breakpoint
ANALYZE failing_steps;
