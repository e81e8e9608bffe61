"""Developer tools that are not part of the product (run as scripts; importable for tests)."""
