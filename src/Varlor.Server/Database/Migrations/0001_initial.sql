-- 0001: tenants, datasets and their columns.
-- Column names of datasets and dataset_columns are relied upon by the backup side and by operators' SQL.
CREATE TABLE tenants (
    id             uuid        PRIMARY KEY,
    name           text        NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
    api_key_hash   bytea       NOT NULL UNIQUE,
    api_key_prefix text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE datasets (
    id                 uuid        PRIMARY KEY,
    tenant_id          uuid        NOT NULL REFERENCES tenants (id),
    name               text        NOT NULL,
    original_file_name text        NOT NULL,
    format             text        NOT NULL CHECK (format IN ('csv', 'tsv', 'jsonl')),
    size               bigint      NOT NULL CHECK (size > 0),
    row_count          bigint      NOT NULL CHECK (row_count >= 0),
    sha256             text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    status             text        NOT NULL CHECK (status IN ('ready', 'deleted')),
    version            integer     NOT NULL DEFAULT 1 CHECK (version >= 1),
    storage_path       text        NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    deleted_at         timestamptz NULL,
    CHECK ((status = 'deleted') = (deleted_at IS NOT NULL))
);

CREATE INDEX datasets_tenant_created ON datasets (tenant_id, created_at DESC);
CREATE INDEX datasets_deleted ON datasets (deleted_at) WHERE deleted_at IS NOT NULL;

CREATE TABLE dataset_columns (
    dataset_id uuid    NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    position   integer NOT NULL CHECK (position >= 0),
    name       text    NOT NULL,
    type       text    NOT NULL CHECK (type IN ('integer', 'decimal', 'boolean', 'date', 'datetime', 'text')),
    nullable   boolean NOT NULL,
    stats      jsonb   NOT NULL DEFAULT '{}'::jsonb,
    PRIMARY KEY (dataset_id, position)
);
