ALTER TABLE "steps" DROP CONSTRAINT "steps_status_check";--> statement-breakpoint
ALTER TABLE "tasks" DROP CONSTRAINT "tasks_status_check";--> statement-breakpoint
ALTER TABLE "steps" ADD COLUMN "kind" text DEFAULT 'step' NOT NULL;--> statement-breakpoint
ALTER TABLE "steps" ADD COLUMN "compensates_step_id" bigint;--> statement-breakpoint
ALTER TABLE "steps" ADD COLUMN "rerun_round" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "compensation_started_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "steps" ADD CONSTRAINT "steps_compensates_step_id_steps_id_fk" FOREIGN KEY ("compensates_step_id") REFERENCES "public"."steps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "steps" ADD CONSTRAINT "steps_kind_check" CHECK (kind in ('step','compensation'));--> statement-breakpoint
ALTER TABLE "steps" ADD CONSTRAINT "steps_status_check" CHECK (status in ('pending','ready','in_progress','waiting_retry','complete','error','resolved_manually','skipped','cancelled','compensated'));--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_status_check" CHECK (status in ('pending','in_progress','complete','error','cancelled','resolved_manually','compensating','compensated'));