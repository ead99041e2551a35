-- 0004_reviews: submissions and review (填报 → 审核 → 发布; docs/store.md, docs/progress.md).
--   citymap.submissions  what a unit reported, waiting for review (one row each, never changed)
--   citymap.decisions    a reviewer's verdict on a submission: exactly one each (never changed)
-- Writers (citymap_write) submit; reviewers (citymap_review, made here, a member of
-- citymap_write so that accepted events can join the status log) also decide.
-- Like the audit trail, neither table is tied to citymap.workspaces: a re-push or a delete of
-- the workspace keeps the record of who submitted and decided what.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'citymap_review') THEN
        BEGIN
            CREATE ROLE citymap_review NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;  -- made at the same moment by an init of another database
        END;
    END IF;
END
$$;
GRANT citymap_write TO citymap_review;

CREATE TABLE citymap.submissions (
    seq          bigserial PRIMARY KEY,
    workspace    text NOT NULL,
    id           text NOT NULL,
    unit         text NOT NULL,
    person       text NOT NULL CHECK (length(btrim(person)) > 0),
    submitted_at text NOT NULL,
    source       text NOT NULL,
    resubmits    text NOT NULL DEFAULT '',
    events       jsonb NOT NULL,               -- [{date, id, status, percent, note, unit}]
    db_user      text NOT NULL DEFAULT current_user,
    txid         bigint NOT NULL DEFAULT txid_current(),
    inserted_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace, id)
);

CREATE TABLE citymap.decisions (
    seq         bigserial PRIMARY KEY,
    workspace   text NOT NULL,
    submission  text NOT NULL,
    verdict     text NOT NULL CHECK (verdict IN ('accepted', 'returned')),
    person      text NOT NULL CHECK (length(btrim(person)) > 0),
    at          text NOT NULL,
    reason      text NOT NULL DEFAULT '',
    db_user     text NOT NULL DEFAULT current_user,
    txid        bigint NOT NULL DEFAULT txid_current(),
    inserted_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace, submission),             -- one decision per submission
    FOREIGN KEY (workspace, submission) REFERENCES citymap.submissions (workspace, id),
    CONSTRAINT decisions_reason CHECK (verdict = 'accepted' OR length(btrim(reason)) > 0)
);

ALTER TABLE citymap.submissions OWNER TO citymap_owner;
ALTER TABLE citymap.decisions OWNER TO citymap_owner;
REVOKE ALL ON citymap.submissions, citymap.decisions FROM PUBLIC;
GRANT SELECT ON citymap.submissions, citymap.decisions TO citymap_read, citymap_write;
GRANT INSERT ON citymap.submissions TO citymap_write;
GRANT INSERT ON citymap.decisions TO citymap_review;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA citymap TO citymap_write;

-- Append-only even for a role granted more by hand: only the owner (migrations) may change them.
CREATE FUNCTION citymap.reviews_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT pg_has_role(current_user, 'citymap_owner', 'USAGE') THEN
        RAISE EXCEPTION 'citymap.% is append-only: % refused for %', TG_TABLE_NAME, TG_OP,
            current_user USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END
$$;
ALTER FUNCTION citymap.reviews_append_only() OWNER TO citymap_owner;
CREATE TRIGGER submissions_append_only BEFORE UPDATE OR DELETE OR TRUNCATE
    ON citymap.submissions FOR EACH STATEMENT EXECUTE FUNCTION citymap.reviews_append_only();
CREATE TRIGGER decisions_append_only BEFORE UPDATE OR DELETE OR TRUNCATE
    ON citymap.decisions FOR EACH STATEMENT EXECUTE FUNCTION citymap.reviews_append_only();
