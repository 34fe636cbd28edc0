-- Queue truth: what CallEvent v2 and CallRecord v2 carry, stored. One column per statement:
-- `hotline migrate` skips an ADD COLUMN whose column exists (18.16 has no IF NOT EXISTS here),
-- so a half-applied run is simply run again. Existing rows take the defaults (v1: no end
-- reason, live).
ALTER TABLE {{ db }}.call_events ADD COLUMN end_reason Nullable(String) COMMENT 'Why the call ended unanswered, when the provider says so (v2): caller_hangup, queue_timeout, queue_key, queue_empty, closed, ...';
ALTER TABLE {{ db }}.call_events ADD COLUMN origin {{ lc("String") }} DEFAULT 'live' COMMENT 'live, or import (history loaded later)';
ALTER TABLE {{ db }}.call_events ADD COLUMN source Nullable(String) COMMENT 'The provider format the event came from, if known';
ALTER TABLE {{ db }}.call_events ADD COLUMN source_version UInt8 DEFAULT 1 COMMENT 'schema_version of the raw event (1 or 2)';
ALTER TABLE {{ db }}.call_records ADD COLUMN menu_seconds Nullable(Float64) COMMENT 'In the menu: offered to queue entry, or to the end if never queued';
ALTER TABLE {{ db }}.call_records ADD COLUMN end_reason Nullable(String) COMMENT 'Why the unanswered call ended, when the provider says so';
ALTER TABLE {{ db }}.call_records ADD COLUMN origin {{ lc("String") }} DEFAULT 'live' COMMENT 'import if any of the call\'s events was imported, else live';
ALTER TABLE {{ db }}.call_records ADD COLUMN source Nullable(String) COMMENT 'The provider format, if known';
ALTER TABLE {{ db }}.call_records ADD COLUMN first_seen_at Nullable(DateTime('UTC')) COMMENT 'occurred_at of the first event enrich received for the call; never changes';
