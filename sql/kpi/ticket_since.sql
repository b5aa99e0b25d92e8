-- Fragment of ticket_facts_window.sql: only what may differ from what a
-- caller computed at its previous as_of: the tickets folded since, those
-- opened since, and those whose facts held instants after it.
-- Parameters: the last fold then (ms), the previous as_of (ms), the keys
-- (cityHash64 of ticket_id) of the tickets with later instants (a tuple).
AND (folded_ms > ? OR opened_ms >= ? OR cityHash64(ticket_id) IN ?)
