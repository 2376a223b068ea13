CREATE TABLE "bulk_action_tasks" (
	"bulk_action_id" bigint NOT NULL,
	"task_id" bigint NOT NULL,
	CONSTRAINT "bulk_action_tasks_bulk_action_id_task_id_pk" PRIMARY KEY("bulk_action_id","task_id")
);
--> statement-breakpoint
CREATE TABLE "bulk_actions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "bulk_actions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"action" text NOT NULL,
	"actor" text NOT NULL,
	"reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bulk_actions_action_check" CHECK (action in ('retry','cancel','compensate'))
);
--> statement-breakpoint
ALTER TABLE "bulk_action_tasks" ADD CONSTRAINT "bulk_action_tasks_bulk_action_id_bulk_actions_id_fk" FOREIGN KEY ("bulk_action_id") REFERENCES "public"."bulk_actions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bulk_action_tasks" ADD CONSTRAINT "bulk_action_tasks_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "bulk_action_tasks_task_id" ON "bulk_action_tasks" USING btree ("task_id");--> statement-breakpoint
CREATE INDEX "steps_repaired_task_id" ON "steps" USING btree ("task_id") WHERE status in ('resolved_manually','skipped');