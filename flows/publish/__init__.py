"""Publishing approved posts: rendering, targets (static site, WordPress) and the publish ledger."""
