"""Local API Gateway (REST v1 and HTTP API v2) + Lambda execution environments + moto.

Generic: everything is derived from a Serverless Framework ``serverless.yml``.
"""
