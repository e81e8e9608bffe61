"""API Gateway authorization, locally: Lambda authorizers, API keys, and what cannot run here."""
