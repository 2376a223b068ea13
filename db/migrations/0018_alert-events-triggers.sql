-- The alert outbox: every statement that adds, changes or removes rows of failure groups in error
-- (a task failed for good; it was retried, resolved, cancelled or compensated) writes one alert_events
-- row per group it touched, in its own transaction. The alert delivery (lib/engine/alert-delivery.ts)
-- reads them and decides what to tell the receiver. Rows waiting to retry are not alerted on: a step
-- that retries may still succeed. Statement-level, so that one statement writing many rows of one
-- group (seeding, a bulk retry) writes one event, and a statement that touches no row in error writes none.
CREATE FUNCTION switchyard_alert_events_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO alert_events (namespace, name, step, status, error_signature)
      SELECT DISTINCT namespace, name, step, status, error_signature FROM new_rows WHERE status = 'error';
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO alert_events (namespace, name, step, status, error_signature)
      SELECT DISTINCT namespace, name, step, status, error_signature FROM old_rows WHERE status = 'error';
  ELSE
    INSERT INTO alert_events (namespace, name, step, status, error_signature)
      SELECT namespace, name, step, status, error_signature FROM new_rows WHERE status = 'error'
      UNION
      SELECT namespace, name, step, status, error_signature FROM old_rows WHERE status = 'error';
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER failing_steps_alert_insert AFTER INSERT ON failing_steps REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION switchyard_alert_events_trigger();--> statement-breakpoint
CREATE TRIGGER failing_steps_alert_update AFTER UPDATE ON failing_steps REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION switchyard_alert_events_trigger();--> statement-breakpoint
CREATE TRIGGER failing_steps_alert_delete AFTER DELETE ON failing_steps REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION switchyard_alert_events_trigger();
