"""Open contracting data: each published Procurement Act notice as an OCDS 1.1 release of its procedure,
release packages, compiled records, and the vendored schema they are validated against (offline)."""
