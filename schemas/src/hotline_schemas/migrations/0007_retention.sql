-- Privacy and retention (docs/privacy.md).
--
-- The tables keep rows 731 days (two years: the pilot, 3 Dec 2012 - 1 Dec 2013, and a year to
-- evaluate it) counted from inserted_at, when the sink stored the row: history imported years
-- after the calls is kept two years from its import instead of expiring on arrival. This sets
-- that default where the server has TTL (0002 and 0003 said 400 days); `hotline retention
-- apply` sets the configured days (HOTLINE_RETENTION__*), and on servers without TTL (18.16)
-- deletes expired rows itself.
{{ modify_ttl("call_events", "inserted_at + INTERVAL 731 DAY") }};
{{ modify_ttl("call_records", "inserted_at + INTERVAL 731 DAY") }};

-- What retention and erasure deleted, for the data protection officer: never a caller number
-- or pseudonym, only what was done, to which table, how many rows, and why.
CREATE TABLE IF NOT EXISTS {{ db }}.privacy_log
(
    at DateTime('UTC') DEFAULT now() COMMENT 'When it was done',
    action {{ lc("String") }} COMMENT 'ttl (retention set), purge (expired rows deleted) or erase (one caller)',
    table_name String COMMENT 'The table it was done to',
    rows UInt64 COMMENT 'Rows deleted (0 for ttl)',
    detail String COMMENT 'ttl/purge: days kept and the cut-off; erase: the reference given, never the caller',
    done_by String COMMENT 'The ClickHouse user that did it'
)
ENGINE = MergeTree
ORDER BY at
SETTINGS index_granularity = 8192;
