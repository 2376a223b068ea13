DROP INDEX "api_tokens_active_name";--> statement-breakpoint
-- Names were unique among active tokens only, and by case. Where names now collide, the active token
-- (else the newest) keeps its name and every other row becomes '<name>#<id>' ('#' is not allowed in
-- a new name, so this cannot collide in turn).
UPDATE "api_tokens" AS "renamed" SET "name" = "renamed"."name" || '#' || "renamed"."id"
WHERE EXISTS (
  SELECT 1 FROM "api_tokens" AS "keeper"
  WHERE lower("keeper"."name") = lower("renamed"."name") AND "keeper"."id" <> "renamed"."id"
    AND ("keeper"."revoked_at" IS NULL, "keeper"."id") > ("renamed"."revoked_at" IS NULL, "renamed"."id")
);--> statement-breakpoint
CREATE UNIQUE INDEX "api_tokens_name" ON "api_tokens" USING btree (lower("name"));--> statement-breakpoint
-- Sessions opened with ADMIN_TOKEN kept an unsalted SHA-256 of it; they are ended (sign in again), and
-- new ones keep an HMAC over the session's own secret instead.
DELETE FROM "sessions" WHERE "token_id" IS NULL;
