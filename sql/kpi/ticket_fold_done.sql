-- Records a fold, or a move of the covered range's start (see migration 0003).
-- (INSERT … SELECT: the native protocol would wait for a data block after
-- INSERT … VALUES.) Parameters: written (ms), folded (ms), from (ms), full (0/1).
INSERT INTO {{db}}.ticket_fact_folds (written_ms, folded_ms, from_ms, full)
SELECT toUInt64(?), toUInt64(?), toUInt64(?), toUInt8(?)
