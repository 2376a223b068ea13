ALTER TABLE "step_attempts" ADD COLUMN "request" jsonb;--> statement-breakpoint
ALTER TABLE "step_attempts" ADD COLUMN "response" jsonb;--> statement-breakpoint
ALTER TABLE "step_attempts" ADD COLUMN "service_calls" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "step_attempts" ADD COLUMN "logs" jsonb;