CREATE TABLE "service_limit_usage" (
	"service" text PRIMARY KEY NOT NULL,
	"recent_starts" timestamp with time zone[] DEFAULT '{}' NOT NULL,
	"in_flight" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
