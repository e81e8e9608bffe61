"""review-api's Lambda handlers, deployed as they are (stdlib + boto3 only)."""
