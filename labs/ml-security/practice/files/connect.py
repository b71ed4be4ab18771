"""The processing job's script: read the database secret named by DB_SECRET_ARN through the job's
role and write whom it would connect as. It never writes or prints the password."""
import json
import os
import pathlib

import sys

import boto3

args = sys.argv[1:]
arn = os.environ.get("DB_SECRET_ARN") or args[args.index("--secret-arn") + 1]
fields = json.loads(boto3.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"])
out = pathlib.Path("/opt/ml/processing/output")
out.mkdir(parents=True, exist_ok=True)
(out / "connection.json").write_text(json.dumps({"connected_as": fields["username"], "host": fields["host"]}))
