"""Pure checks over evidence: one requirement each, raising ``RequirementFailure``.

Checks never open a browser or a socket; see ``shared/ARCHITECTURE.md``.
"""
