CREATE TABLE "auth_failure_allowance" (
	"id" integer PRIMARY KEY NOT NULL,
	"allowance" double precision NOT NULL,
	"refilled_at" timestamp with time zone NOT NULL,
	CONSTRAINT "auth_failure_allowance_one_row" CHECK ("auth_failure_allowance"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "auth_failures" (
	"address" text PRIMARY KEY NOT NULL,
	"failures" integer NOT NULL,
	"last_failure_at" timestamp with time zone NOT NULL,
	"blocked_until" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "auth_failures_last_failure_at" ON "auth_failures" USING btree ("last_failure_at");