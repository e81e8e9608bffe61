"""serverless-wsgi's `wsgi_handler.handler`, as the plugin puts it in the deployment package.

STANDALONE: copied with a `.serverless-wsgi` file (`{"app": "api.app", "text_mime_types": [...]}`,
what the plugin writes on deploy) into a folder on a wsgi function's import path; it runs inside
the handler's virtualenv, where the `serverless-wsgi` PyPI package (the plugin's
serverless_wsgi.py) is installed. Like the plugin's handler it imports the app once, from the
package root (here LAMBDA_TASK_ROOT; `src/api.app` adds `src/` to the path), serves a broken app
as a 500 after logging why, and hands every event to `serverless_wsgi.handle_request`.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import sys
from typing import Any

import serverless_wsgi


def load_config() -> dict[str, Any]:
    """Read the `.serverless-wsgi` file beside this module."""
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, ".serverless-wsgi"), encoding="utf-8") as f:
        config: dict[str, Any] = json.load(f)
    return config


def import_app(config: dict[str, Any]) -> Any:
    """Import `module.attribute` (optionally `folder/module.attribute`) from the package root."""
    target, attribute = config["app"].rsplit(".", 1)
    folder, _, module = target.rpartition("/")
    root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    if folder:
        sys.path.insert(0, os.path.join(root, folder))
    try:
        return getattr(importlib.import_module(module), attribute)
    except Exception as exc:
        logging.exception("Unable to import app: '%s' - %s", config["app"], exc)
        from werkzeug.exceptions import InternalServerError

        return InternalServerError(f"Unable to import app: {config['app']}")


def handler(event: dict[str, Any], context: Any) -> Any:
    """Lambda entry point: the API Gateway event through the WSGI app."""
    return serverless_wsgi.handle_request(wsgi_app, event, context)


config = load_config()
wsgi_app = import_app(config)
if isinstance(config.get("text_mime_types"), list):
    serverless_wsgi.TEXT_MIME_TYPES.extend(config["text_mime_types"])
