"""Local API Gateway (REST v1, Lambda proxy) + Lambda execution environments + moto DynamoDB.

Generic: everything is derived from a Serverless Framework ``serverless.yml``.
"""
