"""boto3 against mp-emulator: the emulator must work unmodified with other SDKs.

Run under `mp-emulator run -- python3 smoke.py HOURLY_CODE CUSTOM_CODE`: the environment
points botocore at the emulator (endpoint override, ECS container credentials). boto3 reads
AWS_DEFAULT_REGION, not AWS_REGION, so the region is passed explicitly.
"""

import os
import sys
import time

import boto3
from botocore.config import Config

hourly, custom = sys.argv[1], sys.argv[2]
client = boto3.client(
    "meteringmarketplace",
    region_name=os.environ["AWS_REGION"],
    config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=5),
)
checks = 0


def check(ok, what):
    global checks
    if not ok:
        sys.exit(f"boto3 smoke: FAILED: {what}")
    checks += 1


def error_code(call):
    try:
        call()
    except client.exceptions.ClientError as e:
        return e.response["Error"]["Code"]
    return None


registered = client.register_usage(ProductCode=hourly, PublicKeyVersion=1, Nonce="boto3-nonce")
check(registered["Signature"].count(".") == 2, "RegisterUsage returns a JWT")

hour = int(time.time()) // 3600 * 3600
first = client.meter_usage(ProductCode=custom, Timestamp=hour, UsageDimension="requests", UsageQuantity=5)
again = client.meter_usage(ProductCode=custom, Timestamp=hour, UsageDimension="requests", UsageQuantity=5)
check(first["MeteringRecordId"] == again["MeteringRecordId"], "the same record twice keeps its id")

check(
    error_code(lambda: client.meter_usage(ProductCode=custom, Timestamp=hour, UsageDimension="requests", UsageQuantity=6))
    == "DuplicateRequestException",
    "another quantity for a recorded hour is DuplicateRequestException",
)
check(
    error_code(lambda: client.meter_usage(ProductCode=custom, Timestamp=hour, UsageDimension="data_gb", UsageQuantity=1, DryRun=True))
    in (None, "DryRunOperation"),
    "DryRun succeeds",
)
check(
    error_code(lambda: client.meter_usage(ProductCode=custom, Timestamp=hour, UsageDimension="nope", UsageQuantity=1))
    == "InvalidUsageDimensionException",
    "an unknown dimension is InvalidUsageDimensionException",
)
check(
    error_code(lambda: client.register_usage(ProductCode="unknownproduct123", PublicKeyVersion=1))
    == "InvalidProductCodeException",
    "an unknown product is InvalidProductCodeException",
)
print(f"boto3 smoke: {checks} checks passed")
