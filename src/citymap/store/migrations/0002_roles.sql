-- 0002_roles: three roles (docs/store.md, "Who may write what").
--   citymap_owner  owns the schema and its tables; runs `citymap store init` (migrations).
--   citymap_write  pushes, deletes and pulls workspaces and appends status events; it may
--                  only INSERT into (and read) the audit trail, never change or remove a row.
--   citymap_read   reads everything, writes nothing.
-- Give people login roles that are members of one of them, e.g.
--   CREATE ROLE 阳信_gis LOGIN PASSWORD '…' IN ROLE citymap_write;
-- The roles are made when missing (this needs CREATEROLE, or a superuser, once per cluster).

DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['citymap_owner', 'citymap_write', 'citymap_read'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', r);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;  -- made at the same moment by an init of another database
            END;
        END IF;
    END LOOP;
    IF NOT pg_has_role(current_user, 'citymap_owner', 'MEMBER') THEN
        EXECUTE format('GRANT citymap_owner TO %I', current_user);
    END IF;
END
$$;

ALTER SCHEMA citymap OWNER TO citymap_owner;
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT c.relname, c.relkind FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'citymap' AND c.relkind IN ('r', 'v', 'm') LOOP
        -- a table's serial sequences follow it
        EXECUTE format('ALTER TABLE citymap.%I OWNER TO citymap_owner', r.relname);
    END LOOP;
END
$$;

REVOKE ALL ON SCHEMA citymap FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA citymap FROM PUBLIC;
GRANT USAGE ON SCHEMA citymap TO citymap_read, citymap_write;

-- readers: read only
GRANT SELECT ON ALL TABLES IN SCHEMA citymap TO citymap_read;

-- writers: the workspace tables, the status log, and the audit trail append-only
GRANT SELECT ON ALL TABLES IN SCHEMA citymap TO citymap_write;
GRANT INSERT, UPDATE, DELETE ON citymap.workspaces, citymap.register, citymap.works,
    citymap.targets, citymap.layers, citymap.sites TO citymap_write;
GRANT INSERT, DELETE ON citymap.status_log TO citymap_write;
GRANT INSERT ON citymap.audit TO citymap_write;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA citymap TO citymap_write;
REVOKE UPDATE, DELETE, TRUNCATE ON citymap.audit FROM citymap_write, citymap_read;
REVOKE UPDATE, TRUNCATE ON citymap.status_log FROM citymap_write, citymap_read;

-- The audit trail is append-only even for a role that was granted more by hand: only the
-- owner (migrations) may change it.
CREATE FUNCTION citymap.audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT pg_has_role(current_user, 'citymap_owner', 'USAGE') THEN
        RAISE EXCEPTION 'citymap.audit is append-only: % refused for %', TG_OP, current_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END
$$;
ALTER FUNCTION citymap.audit_append_only() OWNER TO citymap_owner;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON citymap.audit
    FOR EACH STATEMENT EXECUTE FUNCTION citymap.audit_append_only();
