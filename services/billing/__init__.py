"""Money on the books: the ledger (the only writer of balances), accounts,
prices, and the raw SQL the hot paths use."""
