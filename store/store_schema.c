/* store_schema.c - the versioned schema of both backends; see store_schema.h
 * and the table descriptions at the top of store_sqlite.c. */
#include "store_schema.h"

const struct bp_store_migration bp_store_migrations[] = {
	{ "0 -> 1: ledger, tally, rejection, pseudonym",
	"CREATE TABLE ledger ("
	"  id INTEGER PRIMARY KEY,"
	"  kommune TEXT NOT NULL CHECK (length(kommune) = 4),"
	"  year INTEGER NOT NULL,"
	"  submission_id BLOB NOT NULL CHECK (length(submission_id) = 16),"
	"  sequence INTEGER NOT NULL,"
	"  digest BLOB NOT NULL CHECK (length(digest) = 32),"
	"  rows INTEGER NOT NULL CHECK (rows >= 0),"
	"  received INTEGER NOT NULL,"
	"  status TEXT NOT NULL CHECK (status IN ('applied', 'dry_run')),"
	"  archived TEXT NOT NULL);"
	"CREATE UNIQUE INDEX ledger_by_id ON ledger (kommune, submission_id);"
	"CREATE INDEX ledger_by_year ON ledger (year, kommune);"
	"CREATE TABLE tally ("
	"  year INTEGER NOT NULL,"
	"  kommune TEXT NOT NULL CHECK (length(kommune) = 4),"
	"  ledger_id INTEGER NOT NULL REFERENCES ledger (id),"
	"  rows INTEGER NOT NULL CHECK (rows >= 0),"
	"  catalogue_id BLOB NOT NULL CHECK (length(catalogue_id) = 32),"
	"  ncells INTEGER NOT NULL,"
	"  nsum INTEGER NOT NULL,"
	"  counts BLOB NOT NULL,"
	"  sum_n BLOB NOT NULL,"
	"  sums BLOB NOT NULL,"
	"  PRIMARY KEY (year, kommune));"
	"CREATE INDEX tally_by_ledger ON tally (ledger_id);"
	"CREATE TABLE rejection ("
	"  id INTEGER PRIMARY KEY,"
	"  kommune TEXT NOT NULL,"
	"  year INTEGER NOT NULL,"
	"  file TEXT NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  at INTEGER NOT NULL);"
	"CREATE INDEX rejection_by_year ON rejection (year);"
	"CREATE TABLE pseudonym ("
	"  year INTEGER NOT NULL,"
	"  pseudonym BLOB NOT NULL CHECK (length(pseudonym) = 16),"
	"  kommune TEXT NOT NULL,"
	"  PRIMARY KEY (year, pseudonym, kommune)) WITHOUT ROWID;"
	"CREATE INDEX pseudonym_by_kommune ON pseudonym (year, kommune);",

	"CREATE TABLE ledger ("
	"  id bigserial PRIMARY KEY,"
	"  kommune text NOT NULL CHECK (length(kommune) = 4),"
	"  year integer NOT NULL,"
	"  submission_id bytea NOT NULL CHECK (length(submission_id) = 16),"
	"  sequence bigint NOT NULL,"
	"  digest bytea NOT NULL CHECK (length(digest) = 32),"
	"  rows bigint NOT NULL CHECK (rows >= 0),"
	"  received bigint NOT NULL,"
	"  status text NOT NULL CHECK (status IN ('applied', 'dry_run')),"
	"  archived text NOT NULL);"
	"CREATE UNIQUE INDEX ledger_by_id ON ledger (kommune, submission_id);"
	"CREATE INDEX ledger_by_year ON ledger (year, kommune);"
	"CREATE TABLE tally ("
	"  year integer NOT NULL,"
	"  kommune text NOT NULL CHECK (length(kommune) = 4),"
	"  ledger_id bigint NOT NULL REFERENCES ledger (id),"
	"  rows bigint NOT NULL CHECK (rows >= 0),"
	"  catalogue_id bytea NOT NULL CHECK (length(catalogue_id) = 32),"
	"  ncells bigint NOT NULL,"
	"  nsum bigint NOT NULL,"
	"  counts bytea NOT NULL,"
	"  sum_n bytea NOT NULL,"
	"  sums bytea NOT NULL,"
	"  PRIMARY KEY (year, kommune));"
	"CREATE INDEX tally_by_ledger ON tally (ledger_id);"
	"CREATE TABLE rejection ("
	"  id bigserial PRIMARY KEY,"
	"  kommune text NOT NULL,"
	"  year integer NOT NULL,"
	"  file text NOT NULL,"
	"  reason text NOT NULL,"
	"  at bigint NOT NULL);"
	"CREATE INDEX rejection_by_year ON rejection (year);"
	"CREATE TABLE pseudonym ("
	"  year integer NOT NULL,"
	"  pseudonym bytea NOT NULL CHECK (length(pseudonym) = 16),"
	"  kommune text NOT NULL,"
	"  PRIMARY KEY (year, pseudonym, kommune));"
	"CREATE INDEX pseudonym_by_kommune ON pseudonym (year, kommune);" },

	/* The pseudonyms of one (year, kommune) side by side, so that
	 * replacing a submission's writes a few contiguous pages instead of
	 * touching every page of a key ordered by pseudonym; the index by
	 * kommune is then the primary key itself. */
	{ "1 -> 2: pseudonyms keyed by kommune first",
	"CREATE TABLE pseudonym2 ("
	"  year INTEGER NOT NULL,"
	"  kommune TEXT NOT NULL,"
	"  pseudonym BLOB NOT NULL CHECK (length(pseudonym) = 16),"
	"  PRIMARY KEY (year, kommune, pseudonym)) WITHOUT ROWID;"
	"INSERT INTO pseudonym2 (year, kommune, pseudonym) "
	"  SELECT year, kommune, pseudonym FROM pseudonym ORDER BY year, kommune, pseudonym;"
	"DROP TABLE pseudonym;"
	"ALTER TABLE pseudonym2 RENAME TO pseudonym;",

	"ALTER TABLE pseudonym DROP CONSTRAINT pseudonym_pkey;"
	"DROP INDEX pseudonym_by_kommune;"
	"ALTER TABLE pseudonym ADD PRIMARY KEY (year, kommune, pseudonym);" },

	/* A checksum per tally (store_codec.h): a flipped bit inside a value
	 * passes the database's own checks. Rows written before carry NULL
	 * (unverified) until they are written again (bpagg rebuild). */
	{ "2 -> 3: a checksum per tally",
	"ALTER TABLE tally ADD COLUMN checksum BLOB CHECK (checksum IS NULL OR "
	"length(checksum) = 32);",
	"ALTER TABLE tally ADD COLUMN checksum bytea CHECK (checksum IS NULL OR "
	"length(checksum) = 32);" },

	/* Sequence resets by an administrator (bpagg reset-sequence): the
	 * latest applied submission they name no longer makes later ones
	 * stale; the row stays as the record of who was reset and when. */
	{ "3 -> 4: sequence resets",
	"CREATE TABLE sequence_reset ("
	"  id INTEGER PRIMARY KEY,"
	"  year INTEGER NOT NULL,"
	"  kommune TEXT NOT NULL CHECK (length(kommune) = 4),"
	"  ledger_id INTEGER NOT NULL REFERENCES ledger (id),"
	"  sequence INTEGER NOT NULL,"
	"  at INTEGER NOT NULL);"
	"CREATE INDEX sequence_reset_by_ledger ON sequence_reset (ledger_id);",
	"CREATE TABLE sequence_reset ("
	"  id bigserial PRIMARY KEY,"
	"  year integer NOT NULL,"
	"  kommune text NOT NULL CHECK (length(kommune) = 4),"
	"  ledger_id bigint NOT NULL REFERENCES ledger (id),"
	"  sequence bigint NOT NULL,"
	"  at bigint NOT NULL);"
	"CREATE INDEX sequence_reset_by_ledger ON sequence_reset (ledger_id);" },

	/* A rejection is recorded once per file: without an index each one
	 * read the whole table, so a flood of refused uploads (which the
	 * table keeps across years) cost time quadratic in their number. */
	{ "4 -> 5: rejections found by file",
	"CREATE INDEX rejection_by_file ON rejection (file);",
	"CREATE INDEX rejection_by_file ON rejection (file);" },

	/* The daemon's name of the upload that carried each submission (its
	 * queue entry's "T-R"): after a crash between the commit and the
	 * receipt, the received time alone cannot tell that upload's own
	 * merge from a replay of the same file claimed in the same second.
	 * NULL: not known (rows written before). */
	{ "5 -> 6: the upload that carried each submission",
	"ALTER TABLE ledger ADD COLUMN upload TEXT CHECK (upload IS NULL OR "
	"length(upload) BETWEEN 1 AND 39);",
	"ALTER TABLE ledger ADD COLUMN upload text CHECK (upload IS NULL OR "
	"length(upload) BETWEEN 1 AND 39);" },
};

int
bp_store_schema_version(void)
{
	return (int)(sizeof(bp_store_migrations) / sizeof(bp_store_migrations[0]));
}
