ALTER TABLE "service_limit_usage" ADD COLUMN "rate_per_second" double precision;--> statement-breakpoint
ALTER TABLE "service_limit_usage" ADD COLUMN "max_concurrency" integer;