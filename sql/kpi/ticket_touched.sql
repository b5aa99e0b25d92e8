-- Whether any ticket received an event since the last fold (1 or 0): a fold
-- with nothing to fold reads no ticket events. Reads only the ingestion times
-- of the covered range (PREWHERE), so it is cheap.
-- Parameters: those of ticket_touched_ids.sql.
SELECT count() AS touched
FROM
(
    {{ticket_touched_ids}}
    LIMIT 1
)
