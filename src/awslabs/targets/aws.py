"""A real AWS account, behind the rails: used only when asked for *and* allow-listed.

Credentials come from boto3's default chain (environment, profile, SSO, instance role). The
account id from STS must be in ``AWSLABS_ALLOWED_ACCOUNTS``; otherwise nothing is created.
``AWSLABS_AWS_ENDPOINT_URL`` (tests only) points this target at a moto server standing in for AWS,
so the rails are tested without a real account.
"""
from __future__ import annotations

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from ..errors import TargetUnavailable
from .base import Target


class AwsTarget(Target):
    name = "aws"

    def __init__(self, settings):
        super().__init__(settings)
        self.endpoint_url = settings.aws_endpoint_url
        self._boto = boto3.session.Session(region_name=self.region)
        try:
            identity = self.client("sts").get_caller_identity()
        except NoCredentialsError:
            raise TargetUnavailable(
                "no AWS credentials found: configure a sandbox profile (`aws configure` or "
                "AWS_PROFILE) or run on moto (the default, no credentials needed)."
            ) from None
        except ClientError as err:
            code = err.response.get("Error", {}).get("Code", "")
            raise TargetUnavailable(f"AWS refused the credentials ({code}): refresh them and retry.") from None
        except BotoCoreError as err:
            raise TargetUnavailable(f"cannot reach AWS STS ({err}): check the network and region.") from None
        self.account = identity["Account"]
        self.caller_arn = identity.get("Arn", "")
        if self.account not in settings.allowed_accounts:
            raise TargetUnavailable(
                f"account {self.account} is not allow-listed: if it is a sandbox you may use, add it to "
                "AWSLABS_ALLOWED_ACCOUNTS (environment or .env) and run again."
            )

    def _session(self):
        return self._boto

    def subprocess_env(self) -> dict[str, str]:
        creds = self._boto.get_credentials().get_frozen_credentials()
        env = {
            "AWS_ACCESS_KEY_ID": creds.access_key,
            "AWS_SECRET_ACCESS_KEY": creds.secret_key,
            "AWS_DEFAULT_REGION": self.region,
        }
        if creds.token:
            env["AWS_SESSION_TOKEN"] = creds.token
        if self.endpoint_url:
            env["AWS_ENDPOINT_URL"] = self.endpoint_url
        return env

    def describe(self):
        return {**super().describe(), "caller": self.caller_arn}
