"""Reading serverless.yml into frozen values: variables, YAML dialect, the service model.

Knows nothing of HTTP or processes."""
