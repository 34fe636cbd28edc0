-- The municipality dimension, loaded by `hotline migrate` from the shipped reference file
-- hotline_schemas/reference/municipalities.csv (its `source` column names where each row's
-- figures come from). Reloaded only when the file's content differs from the table's;
-- ReplacingMergeTree(loaded_at) keeps the newest load per municipality_code.
CREATE TABLE IF NOT EXISTS {{ db }}.municipalities
(
    municipality_code UInt16 COMMENT 'Kommunekode (3 digits)',
    municipality_name String COMMENT 'Municipality name',
    population UInt32 COMMENT 'Inhabitants at population_date',
    population_date Date COMMENT 'Date of the population figure',
    hotline_member UInt8 COMMENT '1 if one of the seven hotline municipalities',
    source String COMMENT 'Where the figures come from',
    loaded_at DateTime('UTC') DEFAULT now() COMMENT 'When hotline migrate loaded the row'
)
ENGINE = ReplacingMergeTree(loaded_at)
ORDER BY municipality_code;
