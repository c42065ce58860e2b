"""Pure checks over evidence: one requirement each, raising ``RequirementFailure``.

Checks never open a browser or a socket: flows capture evidence, checks judge it.
"""
