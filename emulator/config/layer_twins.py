"""Public Lambda layers that carry a PyPI package: installed from PyPI in the layer's place.

A function may attach a public layer by ARN (`layers: [arn:aws:lambda:...]`); its zip is in
another account and cannot be fetched here. For a few well-known layers the same code is on
PyPI, so the emulator installs that package into the function's virtualenv and names the
mapping at start. Unknown ARNs stay named as not emulated (the way out: a requirement).

The table (one row a layer family; the account and name as published by its owner):
- Powertools for AWS Lambda (Python), account 017000801446 (aws-cn: 498634801083):
  `AWSLambdaPowertoolsPython` (v1), `AWSLambdaPowertoolsPythonV2[-Arm64]` (v2),
  `AWSLambdaPowertoolsPythonV3-python3XX-{x86_64,arm64}` (v3). The owners publish no table from
  layer version to release (aws-powertools/powertools-lambda-python discussion 6426: the
  release is in each layer version's description, readable only with an AWS account), so the
  newest release of the layer's major version is installed; their docs say a layer user
  develops locally with `aws-lambda-powertools[all]` (docs 2.10 "Local development").
- Datadog's Python library layers, account 464622532012: `Datadog-Python3X[-ARM]` carry
  `datadog-lambda` (the newest is installed, for the same reason). `Datadog-Extension[-ARM]` is
  an extension (a separate process that ships telemetry), not Python: nothing to install.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LayerTwin:
    """What stands in for one public layer: requirement lines (none for an extension)."""

    layer: str  # the layer's name, "AWSLambdaPowertoolsPythonV3-python312-x86_64"
    requirements: tuple[str, ...]
    why: str  # one line for the start banner


_ARN = re.compile(r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:(\d{12}):layer:([A-Za-z0-9_-]+):(\d+)$")
_POWERTOOLS_ACCOUNTS = frozenset({"017000801446", "498634801083"})
_DATADOG_ACCOUNT = "464622532012"
_TABLE: tuple[tuple[frozenset[str], re.Pattern[str], tuple[str, ...], str], ...] = (
    (_POWERTOOLS_ACCOUNTS, re.compile(r"AWSLambdaPowertoolsPython"),
     ("aws-lambda-powertools<2",), "Powertools v1"),
    (_POWERTOOLS_ACCOUNTS, re.compile(r"AWSLambdaPowertoolsPythonV2(-Arm64)?"),
     ("aws-lambda-powertools[all]>=2,<3",), "Powertools v2"),
    (_POWERTOOLS_ACCOUNTS, re.compile(r"AWSLambdaPowertoolsPythonV3-python3\d+-(x86_64|arm64)"),
     ("aws-lambda-powertools[all]>=3,<4",), "Powertools v3"),
    (frozenset({_DATADOG_ACCOUNT}), re.compile(r"Datadog-Python3\d+(-ARM)?"),
     ("datadog-lambda",), "Datadog's Python library"),
    (frozenset({_DATADOG_ACCOUNT}), re.compile(r"Datadog-Extension(-ARM)?"),
     (), "Datadog's extension"),
)


def twin(arn: str) -> LayerTwin | None:
    """Return what stands in for the public layer `arn`, or None for a layer not in the table.

    >>> twin("arn:aws:lambda:eu-west-1:017000801446:layer:AWSLambdaPowertoolsPythonV2:79")
    ... # doctest: +ELLIPSIS
    LayerTwin(layer='AWSLambdaPowertoolsPythonV2', requirements=('aws-lambda-powertools[all]...
    """
    match = _ARN.match(arn.strip())
    if match is None:
        return None
    account, name, version = match.groups()
    for accounts, pattern, requirements, what in _TABLE:
        if account in accounts and pattern.fullmatch(name):
            if not requirements:
                why = (f"{what} (layer {name}:{version}) is an extension, not Python: nothing "
                       "installed; what it would ship is not sent anywhere")
            else:
                why = (f"{what} (layer {name}:{version}) -> {', '.join(requirements)} from "
                       "PyPI (the layer's exact release is not published per version: pin it "
                       "in your requirements to match)")
            return LayerTwin(name, requirements, why)
    return None
