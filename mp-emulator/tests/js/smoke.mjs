// The AWS SDK for JavaScript v3 against mp-emulator: the emulator must work unmodified with
// other SDKs.
//
// Run under `mp-emulator run --platform eks -- node smoke.mjs HOURLY CUSTOM CONTRACT_SKU KEY_PEM_FILE`:
// the environment alone points the clients at the emulator (AWS_REGION, the
// AWS_ENDPOINT_URL_* overrides, IRSA's role and web identity token file, exchanged at the
// emulator's STS by the SDK's own credential chain); nothing here names an endpoint.

import { createVerify, constants } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  MarketplaceMeteringClient,
  MeterUsageCommand,
  RegisterUsageCommand,
} from "@aws-sdk/client-marketplace-metering";
import {
  CheckInLicenseCommand,
  CheckoutLicenseCommand,
  ExtendLicenseConsumptionCommand,
  LicenseManagerClient,
} from "@aws-sdk/client-license-manager";
import { AssumeRoleWithWebIdentityCommand, STSClient } from "@aws-sdk/client-sts";

const [hourly, custom, contract, publicKeyFile] = process.argv.slice(2);
const publicKey = readFileSync(publicKeyFile, "utf8");
const options = { maxAttempts: 1 };
const metering = new MarketplaceMeteringClient(options);
const licenses = new LicenseManagerClient(options);
let checks = 0;

function check(ok, what) {
  if (!ok) {
    console.log(`js sdk smoke: FAILED: ${what}`);
    process.exit(1);
  }
  checks += 1;
}

// The error a call is refused with, as the SDK surfaces it, or null when it succeeds.
async function refusal(call) {
  try {
    await call();
    return null;
  } catch (e) {
    return e;
  }
}

// IRSA's exchange, made by hand as the credential chain makes it.
const assumed = await new STSClient(options).send(
  new AssumeRoleWithWebIdentityCommand({
    RoleArn: process.env.AWS_ROLE_ARN,
    RoleSessionName: "js-sdk",
    WebIdentityToken: readFileSync(process.env.AWS_WEB_IDENTITY_TOKEN_FILE, "utf8"),
  }),
);
check(
  assumed.Credentials?.AccessKeyId && assumed.AssumedRoleUser?.Arn,
  "STS exchanges the web identity token for the role's credentials",
);

// RegisterUsage: a PS256 token over our nonce, verified with the emulator's public key.
const nonce = "js-sdk-nonce";
const registered = await metering.send(
  new RegisterUsageCommand({ ProductCode: hourly, PublicKeyVersion: 1, Nonce: nonce }),
);
const [header, claims, signature] = registered.Signature.split(".");
check(JSON.parse(Buffer.from(header, "base64url")).alg === "PS256", "the token is PS256");
const verifier = createVerify("RSA-SHA256");
verifier.update(`${header}.${claims}`);
check(
  verifier.verify(
    { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
    Buffer.from(signature, "base64url"),
  ),
  "the token's signature verifies with the emulator's public key",
);
const claimed = JSON.parse(Buffer.from(claims, "base64url"));
check(
  claimed.nonce === nonce && claimed.productCode === hourly && claimed.publicKeyVersion === 1,
  `the token claims our nonce, product and key version: ${JSON.stringify(claimed)}`,
);

// MeterUsage with allocations, then the hour lock.
const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
const usage = (quantity, allocations) =>
  new MeterUsageCommand({
    ProductCode: custom,
    Timestamp: hour,
    UsageDimension: "requests",
    UsageQuantity: quantity,
    UsageAllocations: allocations,
  });
const allocations = [
  { AllocatedUsageQuantity: 3, Tags: [{ Key: "tenant", Value: "acme" }] },
  { AllocatedUsageQuantity: 2 },
];
const first = await metering.send(usage(5, allocations));
const again = await metering.send(usage(5, allocations));
check(first.MeteringRecordId === again.MeteringRecordId, "the same record twice keeps its id");
const locked = await refusal(() => metering.send(usage(6, [{ AllocatedUsageQuantity: 6 }])));
check(
  locked?.name === "DuplicateRequestException",
  `another quantity for a recorded hour is DuplicateRequestException: ${locked?.name}`,
);

// A refused call in the AWS shape: the modelled exception, its HTTP status, a request id.
const unknown = await refusal(() =>
  metering.send(new RegisterUsageCommand({ ProductCode: "unknownproduct123", PublicKeyVersion: 1 })),
);
check(
  unknown?.name === "InvalidProductCodeException" &&
    unknown.$fault === "client" &&
    unknown.$metadata?.httpStatusCode === 400 &&
    typeof unknown.$metadata?.requestId === "string" &&
    typeof unknown.message === "string" &&
    unknown.message.length > 0,
  `an unknown product is InvalidProductCodeException in the AWS shape: ${unknown?.name} ${JSON.stringify(unknown?.$metadata)}`,
);

// A floating seat: checkout, extend, check-in; a second check-in finds nothing.
const seat = await licenses.send(
  new CheckoutLicenseCommand({
    ProductSKU: contract,
    CheckoutType: "PROVISIONAL",
    KeyFingerprint: "aws:294406891311:AWS/Marketplace:issuer-fingerprint",
    Entitlements: [{ Name: "ConcurrentUsers", Value: "1", Unit: "Count" }],
    ClientToken: "js-sdk-seat",
  }),
);
check(
  seat.EntitlementsAllowed?.[0]?.Name === "ConcurrentUsers" && seat.LicenseConsumptionToken,
  "a floating seat is checked out",
);
const extended = await licenses.send(
  new ExtendLicenseConsumptionCommand({ LicenseConsumptionToken: seat.LicenseConsumptionToken }),
);
check(extended.LicenseConsumptionToken === seat.LicenseConsumptionToken, "the seat is extended");
await licenses.send(new CheckInLicenseCommand({ LicenseConsumptionToken: seat.LicenseConsumptionToken }));
const twice = await refusal(() =>
  licenses.send(new CheckInLicenseCommand({ LicenseConsumptionToken: seat.LicenseConsumptionToken })),
);
check(
  twice?.name === "ResourceNotFoundException",
  `a seat checked in twice is ResourceNotFoundException: ${twice?.name}`,
);

console.log(`js sdk smoke: ${checks} checks passed`);
