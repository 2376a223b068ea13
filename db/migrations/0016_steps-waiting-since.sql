ALTER TABLE "service_circuit_events" ADD COLUMN "actor" text DEFAULT 'system' NOT NULL;--> statement-breakpoint
ALTER TABLE "steps" ADD COLUMN "waiting_since" timestamp with time zone;--> statement-breakpoint
-- The "stuck" clock of a step waiting now: from its current round's first attempt (as failing_steps had it).
UPDATE steps s SET waiting_since = (SELECT a.started_at FROM step_attempts a WHERE a.step_id = s.id AND a.number = s.round_start_attempts + 1)
  WHERE s.status = 'waiting_retry';--> statement-breakpoint
-- A step that finishes, fails for good, goes back to pending, or is retried by an operator (waiting_retry →
-- ready) stops waiting: its clock is cleared, whichever statement moved it. The engine's own hot statements
-- clear it themselves, so that this runs only for the rare others (operator actions).
CREATE FUNCTION switchyard_clear_waiting_since() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.waiting_since := NULL;
  RETURN NEW;
END $$;--> statement-breakpoint
CREATE TRIGGER steps_waiting_since_cleared BEFORE UPDATE ON steps FOR EACH ROW
  WHEN (NEW.waiting_since IS NOT NULL
    AND (NEW.status NOT IN ('ready', 'waiting_retry', 'in_progress') OR (OLD.status = 'waiting_retry' AND NEW.status = 'ready')))
  EXECUTE FUNCTION switchyard_clear_waiting_since();--> statement-breakpoint
-- failing_steps.retrying_since is the step's waiting_since: circuit probes (whose attempts are not counted,
-- and so used to start a new round) no longer restart the clock.
CREATE OR REPLACE FUNCTION switchyard_index_retrying_steps(step_ids bigint[]) RETURNS void LANGUAGE sql AS $$
  DELETE FROM failing_steps f USING unnest(step_ids) u(id) WHERE f.step_id = u.id AND f.status = 'waiting_retry';
  INSERT INTO failing_steps (step_id, task_id, namespace, name, step, status, error_signature, failed_at, retrying_since, partial)
  SELECT s.id, t.id, t.namespace, t.name, s.name, 'waiting_retry', coalesce(s.error_signature, ''),
    coalesce((s.last_error->>'at')::timestamptz, s.updated_at),
    coalesce(s.waiting_since, (SELECT a.started_at FROM step_attempts a WHERE a.step_id = s.id AND a.number = s.round_start_attempts + 1)),
    switchyard_task_steps_state(t.id)
  FROM unnest(step_ids) u(id) JOIN steps s ON s.id = u.id AND s.status = 'waiting_retry'
    JOIN tasks t ON t.id = s.task_id
  ON CONFLICT (step_id) DO UPDATE SET status = excluded.status, error_signature = excluded.error_signature,
    failed_at = excluded.failed_at, retrying_since = excluded.retrying_since, partial = excluded.partial;
$$;--> statement-breakpoint
SELECT switchyard_index_retrying_steps(coalesce((SELECT array_agg(id) FROM steps WHERE status = 'waiting_retry'), '{}'));
