-- Fragment of ticket_facts_window.sql: read the newest fold of each ticket.
FINAL
