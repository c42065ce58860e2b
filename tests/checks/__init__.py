"""Unit tests of hybridcheck.checks and hybridcheck.jose over hand-made evidence (no network)."""
