"""The AWS deployment of Smart Door as a CDK app: `cdk/app.py` synthesises it, offline and without Docker."""
