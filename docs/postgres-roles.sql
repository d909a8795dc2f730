-- PostgreSQL roles for varlor-server and varlor-backup, least privilege (PostgreSQL 15).
-- Run once as a superuser:  sudo -u postgres psql -v ON_ERROR_STOP=1 -d varlor < docs/postgres-roles.sql
-- then give each login role a password:  sudo -u postgres psql -c '\password varlor_backup'  (same for varlor_restore).
-- The operator's guide ("Database (PostgreSQL)") explains each line; the tests run the commands as these roles.

-- The service: varlor-server connects as varlor_prod, which owns the varlor database (and so, in PostgreSQL 15,
-- its public schema, where the migrations create the tables); both exist already (README.md, docs/server.md).

-- Backups (db dump, db basebackup [--count], wal status): read every table, stream base backups.
-- pg_hba.conf needs a "replication" line for it as well as the usual one.
CREATE ROLE varlor_backup LOGIN REPLICATION;
GRANT pg_read_all_data TO varlor_backup;

-- Restores (db restore --target-db / --table / --in-place, db verify-restore): create databases; terminate
-- the service's sessions before an in-place swap; and be a member of the role that owns the database and its
-- tables, so that pg_restore can give every object back to its owner (ALTER ... OWNER TO varlor_prod needs
-- it), the restored database can be created OWNER varlor_prod, and the in-place swap can rename it.
CREATE ROLE varlor_restore LOGIN CREATEDB;
GRANT pg_signal_backend TO varlor_restore;
GRANT varlor_prod TO varlor_restore;
