DROP INDEX "steps_unhealthy";--> statement-breakpoint
DROP INDEX "tasks_created_at";--> statement-breakpoint
ALTER TABLE "steps" ADD COLUMN "error_signature" text GENERATED ALWAYS AS (case when last_error is null then null else md5(coalesce(nullif(last_error->>'code', ''), nullif(last_error->>'class', ''), 'Error')
    || coalesce(' | HTTP ' || (last_error->>'http_status'), '')
    || ' | ' || left(regexp_replace(regexp_replace(regexp_replace(coalesce(last_error->>'message', ''), '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', '<uuid>', 'gi'), '[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)+', '<email>', 'gi'), '[0-9]+', '<n>', 'g'), 300)) end) STORED;--> statement-breakpoint
CREATE INDEX "steps_unhealthy" ON "steps" USING btree ("name","status","error_signature") WHERE status in ('error','waiting_retry');--> statement-breakpoint
CREATE INDEX "tasks_created_at" ON "tasks" USING btree ("created_at","id");