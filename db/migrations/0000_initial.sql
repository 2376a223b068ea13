CREATE TABLE "api_tokens" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "api_tokens_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"role" text NOT NULL,
	"token_hash" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_tokens_role_check" CHECK (role in ('viewer','operator','admin'))
);
--> statement-breakpoint
CREATE TABLE "service_circuits" (
	"service" text PRIMARY KEY NOT NULL,
	"state" text DEFAULT 'closed' NOT NULL,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"opened_at" timestamp with time zone,
	"open_until" timestamp with time zone,
	"last_failure_at" timestamp with time zone,
	"last_error" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "service_circuits_state_check" CHECK (state in ('closed','open','half_open'))
);
--> statement-breakpoint
CREATE TABLE "step_attempts" (
	"step_id" bigint NOT NULL,
	"number" integer NOT NULL,
	"task_id" bigint NOT NULL,
	"worker_id" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"outcome" text DEFAULT 'running' NOT NULL,
	"error_class" text,
	"error_message" text,
	"error_code" text,
	"http_status" integer,
	"duration_ms" integer,
	CONSTRAINT "step_attempts_step_id_number_pk" PRIMARY KEY("step_id","number")
);
--> statement-breakpoint
CREATE TABLE "step_dependencies" (
	"depends_on_step_id" bigint NOT NULL,
	"step_id" bigint NOT NULL,
	CONSTRAINT "step_dependencies_depends_on_step_id_step_id_pk" PRIMARY KEY("depends_on_step_id","step_id")
);
--> statement-breakpoint
CREATE TABLE "steps" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "steps_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"task_id" bigint NOT NULL,
	"name" text NOT NULL,
	"position" integer NOT NULL,
	"handler" text NOT NULL,
	"handler_config" jsonb NOT NULL,
	"service" text,
	"status" text NOT NULL,
	"retryable" boolean NOT NULL,
	"skippable" boolean NOT NULL,
	"retry_limit" integer NOT NULL,
	"timeout_seconds" integer NOT NULL,
	"backoff" jsonb NOT NULL,
	"pending_dependencies" integer NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"round_start_attempts" integer DEFAULT 0 NOT NULL,
	"run_at" timestamp with time zone,
	"lease_expires_at" timestamp with time zone,
	"worker_id" text,
	"results" jsonb,
	"last_error" jsonb,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "steps_status_check" CHECK (status in ('pending','ready','in_progress','waiting_retry','complete','error','resolved_manually','skipped','cancelled'))
);
--> statement-breakpoint
CREATE TABLE "tasks" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "tasks_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"template_version_id" bigint NOT NULL,
	"namespace" text NOT NULL,
	"name" text NOT NULL,
	"version" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"context" jsonb NOT NULL,
	"idempotency_key" text,
	"identity_key" text,
	"correlation_id" text NOT NULL,
	"unfinished_steps" integer NOT NULL,
	"live_steps" integer NOT NULL,
	"created_by" text DEFAULT 'system' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "tasks_status_check" CHECK (status in ('pending','in_progress','complete','error','cancelled','resolved_manually'))
);
--> statement-breakpoint
CREATE TABLE "template_versions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "template_versions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"namespace" text NOT NULL,
	"name" text NOT NULL,
	"version" text NOT NULL,
	"description" text,
	"yaml" text NOT NULL,
	"definition" jsonb NOT NULL,
	"content_hash" text NOT NULL,
	"created_by" text DEFAULT 'system' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "transitions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "transitions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"task_id" bigint NOT NULL,
	"step_id" bigint,
	"from_status" text,
	"to_status" text NOT NULL,
	"reason" text NOT NULL,
	"actor" text DEFAULT 'system' NOT NULL,
	"attempt" integer,
	"details" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "step_dependencies" ADD CONSTRAINT "step_dependencies_depends_on_step_id_steps_id_fk" FOREIGN KEY ("depends_on_step_id") REFERENCES "public"."steps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "step_dependencies" ADD CONSTRAINT "step_dependencies_step_id_steps_id_fk" FOREIGN KEY ("step_id") REFERENCES "public"."steps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "steps" ADD CONSTRAINT "steps_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_template_version_id_template_versions_id_fk" FOREIGN KEY ("template_version_id") REFERENCES "public"."template_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_tokens_hash" ON "api_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "api_tokens_active_name" ON "api_tokens" USING btree ("name") WHERE revoked_at is null;--> statement-breakpoint
CREATE INDEX "step_dependencies_step_id" ON "step_dependencies" USING btree ("step_id");--> statement-breakpoint
CREATE UNIQUE INDEX "steps_task_name" ON "steps" USING btree ("task_id","name");--> statement-breakpoint
CREATE INDEX "steps_claimable_run_at" ON "steps" USING btree ("run_at") WHERE status in ('ready','waiting_retry');--> statement-breakpoint
CREATE INDEX "steps_lease_expires_at" ON "steps" USING btree ("lease_expires_at") WHERE status = 'in_progress';--> statement-breakpoint
CREATE INDEX "steps_unhealthy" ON "steps" USING btree ("name","status") WHERE status in ('error','waiting_retry');--> statement-breakpoint
CREATE UNIQUE INDEX "tasks_idempotency_key" ON "tasks" USING btree ("namespace","name","idempotency_key") WHERE idempotency_key is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "tasks_identity_key" ON "tasks" USING btree ("namespace","name","identity_key") WHERE identity_key is not null;--> statement-breakpoint
CREATE INDEX "tasks_status_id" ON "tasks" USING btree ("status","id");--> statement-breakpoint
CREATE INDEX "tasks_template_id" ON "tasks" USING btree ("namespace","name","id");--> statement-breakpoint
CREATE INDEX "tasks_created_at" ON "tasks" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "template_versions_identity" ON "template_versions" USING btree ("namespace","name","version");--> statement-breakpoint
CREATE INDEX "transitions_task_id" ON "transitions" USING btree ("task_id");