"""
Package skeleton for a Python Serverless project on AWS Lambda.
"""
