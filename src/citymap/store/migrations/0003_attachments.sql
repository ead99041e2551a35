-- 0003_attachments: the photos of sites (形象进度) in the store (docs/attachments.md).
-- One row per photo of a workspace, identified by the SHA-256 of its original bytes (the same
-- photo twice is one photo). Original and thumbnail are kept in bytea columns; the record's
-- fields are those of citymap.attachments.Photo. Rows are only added (citymap never changes a
-- photo); `store delete` removes a workspace's photos with it. A push does not remove them:
-- photos are added, never replaced.

CREATE TABLE citymap.attachments (
    workspace   text NOT NULL CHECK (length(workspace) BETWEEN 1 AND 200),
    sha256      text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    seq         bigserial NOT NULL,               -- the order stored
    site        text NOT NULL CHECK (length(site) BETWEEN 1 AND 200),
    day         date NOT NULL,                    -- the day taken
    kind        text NOT NULL CHECK (kind IN ('前', '中', '后')),
    date_from   text NOT NULL DEFAULT '',         -- exif, name, sheet or given
    source      text NOT NULL DEFAULT '',         -- what it was imported from
    width       integer NOT NULL CHECK (width >= 0),
    height      integer NOT NULL CHECK (height >= 0),
    lon         double precision CHECK (lon BETWEEN -180 AND 180),  -- EXIF GPS, WGS 84
    lat         double precision CHECK (lat BETWEEN -90 AND 90),
    geom        geometry(Point, 4326) GENERATED ALWAYS AS (
                    CASE WHEN lon IS NULL OR lat IS NULL THEN NULL
                         ELSE ST_SetSRID(ST_MakePoint(lon, lat), 4326) END) STORED,
    distance_m  double precision CHECK (distance_m IS NULL OR distance_m >= 0),
    flags       text[] NOT NULL DEFAULT '{}',     -- far, period (accepted)
    extension   text NOT NULL CHECK (extension ~ '^\.[a-z0-9]{1,8}$'),
    mime        text NOT NULL CHECK (mime LIKE 'image/%'),
    original    bytea NOT NULL,
    thumbnail   bytea NOT NULL,
    added_at    text NOT NULL,                    -- when it was first stored (ISO time)
    added_by    text NOT NULL,                    -- $CITYMAP_USER, else the login name
    db_user     text NOT NULL DEFAULT current_user,
    txid        bigint NOT NULL DEFAULT txid_current(),
    inserted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace, sha256),
    -- the original is what its key says it is
    CHECK (encode(sha256(original), 'hex') = sha256),
    CHECK ((lon IS NULL) = (lat IS NULL))
);
CREATE INDEX attachments_site ON citymap.attachments (workspace, site, day);
CREATE INDEX attachments_seq ON citymap.attachments (workspace, seq);
CREATE INDEX attachments_geom_gist ON citymap.attachments USING gist (geom);

ALTER TABLE citymap.attachments OWNER TO citymap_owner;
REVOKE ALL ON citymap.attachments FROM PUBLIC;
GRANT SELECT ON citymap.attachments TO citymap_read;
-- writers add photos (and delete them with their workspace), never change one
GRANT SELECT, INSERT, DELETE ON citymap.attachments TO citymap_write;
GRANT USAGE ON SEQUENCE citymap.attachments_seq_seq TO citymap_write;

-- A photo is never changed, even by a role granted UPDATE by hand: only the owner may.
CREATE FUNCTION citymap.attachments_unchanged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT pg_has_role(current_user, 'citymap_owner', 'USAGE') THEN
        RAISE EXCEPTION 'citymap.attachments: photos are only added: % refused for %',
            TG_OP, current_user USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END
$$;
ALTER FUNCTION citymap.attachments_unchanged() OWNER TO citymap_owner;
CREATE TRIGGER attachments_unchanged BEFORE UPDATE OR TRUNCATE ON citymap.attachments
    FOR EACH STATEMENT EXECUTE FUNCTION citymap.attachments_unchanged();
