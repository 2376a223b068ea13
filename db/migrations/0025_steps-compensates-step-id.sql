-- steps.compensates_step_id references steps(id) ON DELETE CASCADE: each deleted step makes PostgreSQL look
-- for the compensations that undo it. Without an index that is a scan of every step per deleted step (a
-- delete of 2,000 tasks beside a million others had not finished after 7 minutes). Partial: only compensation
-- steps have it.
CREATE INDEX "steps_compensates_step_id" ON "steps" USING btree ("compensates_step_id") WHERE compensates_step_id is not null;