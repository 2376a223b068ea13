-- Failure signatures now replace identifiers that mix letters and digits (usr_1c6fb56a) with <id>, so
-- that "No user usr_1c6fb56a" and "No user usr_db94e2f1" are one failure (db/error-signature.ts). A
-- generated column's expression cannot be altered before PostgreSQL 17: the column is dropped and added
-- again (steps is rewritten once), its index made again, and the Failures index re-read.
ALTER TABLE "steps" drop column "error_signature";--> statement-breakpoint
ALTER TABLE "steps" ADD COLUMN "error_signature" text GENERATED ALWAYS AS (case when last_error is null then null else md5(coalesce(nullif(last_error->>'code', ''), nullif(last_error->>'class', ''), 'Error')
    || coalesce(' | HTTP ' || (last_error->>'http_status'), '')
    || ' | ' || left(regexp_replace(regexp_replace(regexp_replace(regexp_replace(coalesce(last_error->>'message', ''), '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', '<uuid>', 'gi'), '[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)+', '<email>', 'gi'), '\m(?![0-9]+[a-z]{1,3}\M)[a-z0-9_]*([a-z][a-z0-9_]*[0-9]|[0-9][a-z0-9_]*[a-z])[a-z0-9_]*', '<id>', 'gi'), '[0-9]+', '<n>', 'g'), 300)) end) STORED;--> statement-breakpoint
CREATE INDEX "steps_unhealthy" ON "steps" USING btree ("name","status","error_signature") WHERE status in ('error','waiting_retry');--> statement-breakpoint
SELECT switchyard_rebuild_failing_steps();
