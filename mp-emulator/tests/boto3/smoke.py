"""boto3 against mp-emulator: the emulator must work unmodified with other SDKs.

Run under `mp-emulator run -- python3 smoke.py HOURLY_CODE CUSTOM_CODE CONTRACT_SKU TOKEN_ROLE`:
the environment points botocore at the emulator (endpoint overrides, ECS container
credentials). boto3 reads AWS_DEFAULT_REGION, not AWS_REGION, so the region is passed
explicitly. TOKEN_ROLE is the role the emulator's license tokens name.
"""

import os
import sys
import time

import boto3
from botocore import UNSIGNED
from botocore.config import Config

hourly, custom, contract, token_role = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
config = Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=5)
client = boto3.client("meteringmarketplace", region_name=os.environ["AWS_REGION"], config=config)
licenses = boto3.client("license-manager", region_name=os.environ["AWS_REGION"], config=config)
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

ISSUER = "aws:294406891311:AWS/Marketplace:issuer-fingerprint"


def checkout(checkout_type, entitlements, sku=contract, token=None):
    return licenses.checkout_license(
        ProductSKU=sku,
        CheckoutType=checkout_type,
        KeyFingerprint=ISSUER,
        Entitlements=entitlements,
        ClientToken=token or f"boto3-{checks}",
    )


tiers = checkout("PROVISIONAL", [{"Name": "basic", "Unit": "None"}, {"Name": "pro", "Unit": "None"}])
check([e["Name"] for e in tiers["EntitlementsAllowed"]] == ["pro"], "checking out every tier returns the one held")

seat = checkout("PROVISIONAL", [{"Name": "ConcurrentUsers", "Value": "1", "Unit": "Count"}])
extended = licenses.extend_license_consumption(LicenseConsumptionToken=seat["LicenseConsumptionToken"])
check(extended["LicenseConsumptionToken"] == seat["LicenseConsumptionToken"], "a floating seat is extended")
licenses.check_in_license(LicenseConsumptionToken=seat["LicenseConsumptionToken"])
check(
    error_code(lambda: licenses.check_in_license(LicenseConsumptionToken=seat["LicenseConsumptionToken"]))
    == "ResourceNotFoundException",
    "a seat checked in twice is ResourceNotFoundException",
)

drawn = checkout("PERPETUAL", [{"Name": "DataGB", "Value": "10", "Unit": "Gigabytes"}], token="boto3-drawdown")
again = checkout("PERPETUAL", [{"Name": "DataGB", "Value": "10", "Unit": "Gigabytes"}], token="boto3-drawdown")
check(drawn["LicenseConsumptionToken"] == again["LicenseConsumptionToken"], "a repeated client token draws once")
check(
    error_code(lambda: checkout("PERPETUAL", [{"Name": "DataGB", "Value": "91", "Unit": "Gigabytes"}]))
    == "EntitlementNotAllowedException",
    "drawing more than remains is EntitlementNotAllowedException",
)
check(
    error_code(lambda: checkout("PROVISIONAL", [{"Name": "pro", "Unit": "None"}], sku="prod-unknown"))
    == "NoEntitlementsAllowedException",
    "a SKU without a license is NoEntitlementsAllowedException",
)
received = licenses.list_received_licenses()["Licenses"]
check([l["ProductSKU"] for l in received] == [contract], "ListReceivedLicenses lists the license")
check(
    licenses.get_license(LicenseArn=tiers["LicenseArn"])["License"]["Status"] == "AVAILABLE",
    "GetLicense finds it available",
)

# License tokens: the buyer's administrator creates one; a process off AWS compute trades it,
# unsigned, for an access token, then for credentials that reach that license only.
region = os.environ["AWS_REGION"]
unsigned = config.merge(Config(signature_version=UNSIGNED))
created = licenses.create_token(LicenseArn=tiers["LicenseArn"], ClientToken="boto3-token")
check(created["TokenType"] == "REFRESH_TOKEN" and created["Token"].count(".") == 2, "CreateToken returns a refresh token")
anonymous = boto3.client("license-manager", region_name=region, config=unsigned)
access = anonymous.get_access_token(Token=created["Token"])["AccessToken"]
check(access.count(".") == 2, "GetAccessToken, unsigned, returns an access token")
check(
    error_code(lambda: anonymous.get_access_token(Token="not-a-token")) == "ValidationException",
    "a token the emulator did not issue is ValidationException",
)
sts = boto3.client("sts", region_name=region, config=unsigned)


def assume(role):
    return sts.assume_role_with_web_identity(RoleArn=role, RoleSessionName="boto3", WebIdentityToken=access)


check(
    error_code(lambda: assume("arn:aws:iam::111122223333:role/not-named")) == "AccessDenied",
    "a role the token does not name is AccessDenied",
)
creds = assume(token_role)["Credentials"]
check(creds["AccessKeyId"].startswith("ASIA"), "AssumeRoleWithWebIdentity takes the access token")
on_prem = boto3.client(
    "license-manager",
    region_name=region,
    config=config,
    aws_access_key_id=creds["AccessKeyId"],
    aws_secret_access_key=creds["SecretAccessKey"],
    aws_session_token=creds["SessionToken"],
)


def checkout_on_prem(sku):
    return on_prem.checkout_license(
        ProductSKU=sku,
        CheckoutType="PROVISIONAL",
        KeyFingerprint=ISSUER,
        Entitlements=[{"Name": "pro", "Unit": "None"}],
        ClientToken=f"boto3-on-prem-{sku}",
    )


check(checkout_on_prem(contract)["EntitlementsAllowed"][0]["Name"] == "pro", "the token's credentials check out its license")
check(
    error_code(lambda: checkout_on_prem("prod-unknown")) == "AccessDeniedException",
    "another product with the token's credentials is AccessDeniedException",
)
print(f"boto3 smoke: {checks} checks passed")
