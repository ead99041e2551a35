-- 0001_init: the citymap workspace store (docs/store.md).
-- Every row carries its workspace key (a county); geometry is lon/lat, SRID 4326
-- (CGCS2000 EPSG:4490 lon/lat is stored as-is, like the GeoJSON files; see docs/workspace.md).

CREATE EXTENSION IF NOT EXISTS postgis;
CREATE SCHEMA IF NOT EXISTS citymap;

CREATE TABLE citymap.workspaces (
    workspace       text PRIMARY KEY CHECK (length(workspace) BETWEEN 1 AND 200),
    name            text NOT NULL,
    county          text NOT NULL,
    config          text NOT NULL,               -- citymap.toml, as written
    register_path   text NOT NULL,
    status_log_path text NOT NULL,
    measure_srid    integer NOT NULL DEFAULT 4548,
    pushed_at       timestamptz NOT NULL DEFAULT now(),
    pushed_by       text NOT NULL
);

CREATE TABLE citymap.register (
    workspace text PRIMARY KEY REFERENCES citymap.workspaces ON DELETE CASCADE,
    text      text NOT NULL                     -- geo/register.yaml, as written
);

-- The register parsed, for SQL (rebuilt from the text on every push).
CREATE TABLE citymap.works (
    workspace     text NOT NULL REFERENCES citymap.workspaces ON DELETE CASCADE,
    number        integer NOT NULL,
    action        integer NOT NULL,
    name          text NOT NULL,
    lead_units    text[] NOT NULL,
    partner_units text[] NOT NULL,
    status        text NOT NULL,
    site_bound    boolean NOT NULL,
    plan_only     boolean NOT NULL,
    PRIMARY KEY (workspace, number)
);

CREATE TABLE citymap.targets (
    workspace   text NOT NULL REFERENCES citymap.workspaces ON DELETE CASCADE,
    id          text NOT NULL,
    work        integer,
    metric      text NOT NULL,
    name        text NOT NULL,
    value       double precision NOT NULL,
    unit        text NOT NULL,
    comparison  text NOT NULL,
    year        integer NOT NULL,
    start_year  integer NOT NULL,
    layer       text,
    "where"     jsonb NOT NULL DEFAULT '{}',
    denominator jsonb,
    PRIMARY KEY (workspace, id)
);

CREATE TABLE citymap.layers (
    workspace     text NOT NULL REFERENCES citymap.workspaces ON DELETE CASCADE,
    layer         text NOT NULL,
    position      integer NOT NULL,
    path          text NOT NULL,                -- layers/<layer>.toml
    toml          text NOT NULL,                -- its text, as written
    role          text NOT NULL CHECK (role IN ('sites', 'context')),
    source        text NOT NULL,                -- the GeoJSON file the features come from
    geometry_type text NOT NULL,
    properties    text[] NOT NULL,              -- feature property order in the file
    collection    json NOT NULL DEFAULT '{}',   -- FeatureCollection members besides features
    PRIMARY KEY (workspace, layer)
);

CREATE TABLE citymap.sites (
    workspace   text NOT NULL,
    layer       text NOT NULL,
    id          text NOT NULL,
    ord         integer NOT NULL,               -- position in the layer file
    works       text,
    name        text,
    year        integer,
    status      text CHECK (status IS NULL OR status IN ('未开始', '进行中', '已完成', '滞后')),
    status_date date,
    source      text,
    kind        text,
    attrs       jsonb NOT NULL DEFAULT '{}',    -- the layer's own fields
    raw         jsonb NOT NULL DEFAULT '{}',    -- file values of common fields not in canonical form
    geom        geometry(Geometry, 4326) NOT NULL,
    PRIMARY KEY (workspace, id),
    FOREIGN KEY (workspace, layer) REFERENCES citymap.layers ON DELETE CASCADE,
    CONSTRAINT sites_srid CHECK (ST_SRID(geom) = 4326),
    CONSTRAINT sites_lonlat CHECK (ST_XMin(geom) >= -180 AND ST_XMax(geom) <= 180
                                   AND ST_YMin(geom) >= -90 AND ST_YMax(geom) <= 90)
);
CREATE INDEX sites_geom_gist ON citymap.sites USING gist (geom);
-- Index on the measuring CRS (EPSG:4548, metres): ST_DWithin in metres uses it.
CREATE INDEX sites_geom_4548_gist ON citymap.sites USING gist (ST_Transform(geom, 4548));
CREATE INDEX sites_layer ON citymap.sites (workspace, layer, ord);

CREATE TABLE citymap.status_log (
    seq         bigserial PRIMARY KEY,          -- order of the log (append-only)
    workspace   text NOT NULL REFERENCES citymap.workspaces ON DELETE CASCADE,
    date        date NOT NULL,
    id          text NOT NULL,
    status      text NOT NULL CHECK (status IN ('未开始', '进行中', '已完成', '滞后')),
    percent     double precision CHECK (percent IS NULL OR percent BETWEEN 0 AND 100),
    note        text NOT NULL DEFAULT '',
    unit        text NOT NULL DEFAULT '',
    recorded_at text NOT NULL DEFAULT '',
    recorded_by text NOT NULL,
    db_user     text NOT NULL DEFAULT current_user,
    txid        bigint NOT NULL DEFAULT txid_current(),
    inserted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX status_log_id ON citymap.status_log (workspace, id, date);

-- Every change: who, when, what. Kept when a workspace is deleted.
CREATE TABLE citymap.audit (
    seq       bigserial PRIMARY KEY,
    workspace text NOT NULL,
    at        timestamptz NOT NULL DEFAULT now(),
    who       text NOT NULL,
    db_user   text NOT NULL DEFAULT current_user,
    action    text NOT NULL,
    detail    jsonb NOT NULL DEFAULT '{}',
    txid      bigint NOT NULL DEFAULT txid_current()
);
CREATE INDEX audit_workspace ON citymap.audit (workspace, at);
