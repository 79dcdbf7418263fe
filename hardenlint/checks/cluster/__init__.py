"""Checks of cluster objects (RBAC, ServiceAccounts, Namespaces) and cross-object checks."""
