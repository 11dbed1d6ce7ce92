"""What medpress keeps between runs: the result cache and its key, the sign-off ledger and its signatures."""
