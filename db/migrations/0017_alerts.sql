CREATE TABLE "alert_deliveries" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "alert_deliveries_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"kind" text NOT NULL,
	"namespace" text NOT NULL,
	"name" text NOT NULL,
	"step" text NOT NULL,
	"status" text NOT NULL,
	"error_signature" text NOT NULL,
	"payload" jsonb NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_expires_at" timestamp with time zone,
	"worker_id" text,
	"response_status" integer,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone,
	CONSTRAINT "alert_deliveries_kind_check" CHECK (kind in ('failing','resolved')),
	CONSTRAINT "alert_deliveries_state_check" CHECK (state in ('pending','sending','delivered','failed'))
);
--> statement-breakpoint
CREATE TABLE "alert_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "alert_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"namespace" text NOT NULL,
	"name" text NOT NULL,
	"step" text NOT NULL,
	"status" text NOT NULL,
	"error_signature" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alert_groups" (
	"namespace" text NOT NULL,
	"name" text NOT NULL,
	"step" text NOT NULL,
	"status" text NOT NULL,
	"error_signature" text NOT NULL,
	"notified" text,
	"last_alerted_at" timestamp with time zone,
	"recheck_at" timestamp with time zone,
	CONSTRAINT "alert_groups_namespace_name_step_status_error_signature_pk" PRIMARY KEY("namespace","name","step","status","error_signature"),
	CONSTRAINT "alert_groups_notified_check" CHECK (notified in ('failing','resolved'))
);
--> statement-breakpoint
CREATE INDEX "alert_deliveries_unsent" ON "alert_deliveries" USING btree ("next_attempt_at") WHERE state in ('pending','sending');--> statement-breakpoint
CREATE INDEX "alert_groups_recheck_at" ON "alert_groups" USING btree ("recheck_at") WHERE recheck_at is not null;