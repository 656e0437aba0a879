"""What a door costs on AWS (us-east-1 list prices, free tiers excluded): an idle month, and 1,000 visits,
for each way of finding faces. AWS calls per use case come from bench/results/aws_calls.json (measured by
bench/aws_calls.py); everything else is an assumption stated in ASSUMPTIONS.

    .venv/bin/python bench/costs.py [--calls bench/results/aws_calls.json]

A visit is one new face arriving at the door. Prices marked unconfirmed were not read on AWS's pricing page
for this table (they are the last list prices known to the author): check them before relying on a sum.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Price:
    service: str
    unit: str
    usd: float
    source: str
    confirmed: bool = False  # True only when read on ``source`` on READ_ON


@dataclass(frozen=True)
class Line:
    price: Price
    count: float

    @property
    def cost(self) -> float:
        return self.count * self.price.usd


READ_ON = "2026-12-01"
P = "https://aws.amazon.com/{}/pricing/"
PRICES = {
    "stream_min": Price(
        "Rekognition", "minute of streaming video face search", 0.12, P.format("rekognition")
    ),
    "image": Price(
        "Rekognition",
        "image API call (DetectFaces, SearchFacesByImage, IndexFaces, SearchFaces)",
        0.001,
        P.format("rekognition"),
    ),
    "face_month": Price("Rekognition", "face stored, per month", 0.00001, P.format("rekognition")),
    "kvs_gb_in": Price("Kinesis Video Streams", "GB ingested", 0.0085, P.format("kinesis/video-streams")),
    "kvs_gb_month": Price(
        "Kinesis Video Streams", "GB-month stored", 0.023, P.format("kinesis/video-streams")
    ),
    "kds_shard_h": Price(
        "Kinesis Data Streams", "shard-hour (provisioned)", 0.015, P.format("kinesis/data-streams")
    ),
    "wru": Price("DynamoDB", "write request unit (on-demand)", 0.625e-6, P.format("dynamodb")),
    "rru": Price("DynamoDB", "read request unit (on-demand)", 0.125e-6, P.format("dynamodb")),
    "s3_put": Price("S3", "PUT request", 0.005e-3, P.format("s3")),
    "s3_get": Price("S3", "GET request", 0.0004e-3, P.format("s3")),
    "lambda_req": Price("Lambda", "request", 0.20e-6, P.format("lambda")),
    "lambda_gbs": Price("Lambda", "GB-second (x86_64)", 0.0000166667, P.format("lambda")),
    "appsync_op": Price("AppSync", "query or mutation", 4.0e-6, P.format("appsync")),
    "ses_mail": Price("SES", "email sent", 0.10e-3, P.format("ses")),
    "sms_us": Price("SNS", "SMS to a US number, with carrier fee", 0.00883, P.format("sns/sms")),
    "secret_month": Price("Secrets Manager", "secret, per month", 0.40, P.format("secrets-manager")),
}

# What is not measured. Each figure is a guess to be replaced by a measurement when one exists.
ASSUMPTIONS = {
    "returning_share": 0.5,  # of visits, a face the door already knows
    "frames_per_visit": 3,  # frame path: frames the camera uploads while a new face is at the door (and
    # none while nobody is there: the camera uploads on a face of its own finding, so idle costs no frame)
    "faces_per_frame": 1,
    "video_mbit_s": 1.0,  # stream path: the camera's bitrate into Kinesis Video, around the clock
    "kvs_retention_h": 24,
    "faces_stored": 100,
    "lambda_gb": 0.5,  # assumed, not measured: memory of every function
    "frame_lambda_s": 1.0,  # assumed, not measured: DetectFaces + searches + writes per frame
    "resolver_lambda_s": 0.2,  # assumed, not measured
    "stream_lambda_s": 0.5,  # assumed, not measured: one Kinesis batch of a visit's records
    "stream_batches_per_visit": 3,
    "resolver_calls_new": 4,  # the owner opens the sighting, approves, registers; the visitor enters a code
    "resolver_calls_returning": 1,  # the visitor enters the code
    "items_per_transaction": 3,  # DynamoDB bills transactions 2 units per item (items up to 1 KB / 4 KB)
}
HOURS_PER_MONTH = 730
WRITES = {"PutItem", "UpdateItem", "DeleteItem"}
READS = {"GetItem", "Query"}
# The measured use cases a visit runs, by kind of visitor (names of bench/results/aws_calls.json).
NEW_VISIT = (
    "unknown face",
    "unknown face (after commit)",
    "approve",
    "registration",
    "registration (after commit)",
    "validateOtp granted",
)
RETURNING_VISIT = ("returning visitor", "returning visitor (after commit)", "validateOtp granted")


def total(lines: list[Line]) -> float:
    return sum(line.cost for line in lines)


def call_lines(calls: list[str], a: dict[str, float], times: float = 1.0) -> list[Line]:
    """The price lines of ``times`` runs of one use case's measured calls. Its IndexFaces and SearchFaces
    are paid in both modes: they index the new face and settle its owner, after whatever found it."""
    wru = rru = s3_put = s3_get = image = ses = sms = 0.0
    for call in calls:
        service, operation = call.split(".", 1)
        if service == "dynamodb":
            if operation in WRITES:
                wru += 1
            elif operation in READS:
                rru += 1
            elif operation == "TransactWriteItems":
                wru += 2 * a["items_per_transaction"]
            elif operation == "TransactGetItems":
                rru += 2 * a["items_per_transaction"]
        elif service == "s3":
            s3_put += operation in ("PutObject", "PutObjectTagging")  # both billed as PUT requests
            s3_get += operation == "GetObject"
        elif service == "rekognition":
            image += operation in ("IndexFaces", "SearchFaces", "SearchFacesByImage", "DetectFaces")
        elif service == "sesv2":
            ses += 1
        elif service == "sns":
            sms += 1
    counts = {
        "wru": wru,
        "rru": rru,
        "s3_put": s3_put,
        "s3_get": s3_get,
        "image": image,
        "ses_mail": ses,
        "sms_us": sms,
    }
    return [Line(PRICES[key], n * times) for key, n in counts.items() if n]


def merge(lines: list[Line]) -> list[Line]:
    summed: dict[str, float] = {}
    for line in lines:
        key = next(k for k, p in PRICES.items() if p == line.price)
        summed[key] = summed.get(key, 0.0) + line.count
    return [Line(PRICES[key], count) for key, count in summed.items()]


def idle_month(mode: str, a: dict[str, float]) -> list[Line]:
    lines = [Line(PRICES["secret_month"], 1), Line(PRICES["face_month"], a["faces_stored"])]
    if mode == "stream":
        minutes = HOURS_PER_MONTH * 60
        gb_in = a["video_mbit_s"] / 8 / 1000 * 3600 * HOURS_PER_MONTH
        lines += [
            Line(PRICES["stream_min"], minutes),
            Line(PRICES["kvs_gb_in"], gb_in),
            Line(PRICES["kvs_gb_month"], gb_in * a["kvs_retention_h"] / HOURS_PER_MONTH),
            Line(PRICES["kds_shard_h"], HOURS_PER_MONTH),
        ]
    return lines


def thousand_visits(mode: str, calls: dict[str, list[str]], a: dict[str, float]) -> list[Line]:
    new = 1000 * (1 - a["returning_share"])
    back = 1000 * a["returning_share"]
    lines: list[Line] = []
    for names, visits in ((NEW_VISIT, new), (RETURNING_VISIT, back)):
        for name in names:
            lines += call_lines(calls[name], a, visits)
    resolver_calls = new * a["resolver_calls_new"] + back * a["resolver_calls_returning"]
    lines += [
        Line(PRICES["appsync_op"], resolver_calls),
        Line(PRICES["lambda_req"], resolver_calls),
        Line(PRICES["lambda_gbs"], resolver_calls * a["lambda_gb"] * a["resolver_lambda_s"]),
    ]
    if mode == "frames":
        frames = 1000 * a["frames_per_visit"]
        lines += [
            Line(PRICES["s3_put"], frames),
            Line(PRICES["s3_get"], frames),
            Line(PRICES["image"], frames * (1 + a["faces_per_frame"])),  # DetectFaces + a search per face
            Line(PRICES["lambda_req"], frames),
            Line(PRICES["lambda_gbs"], frames * a["lambda_gb"] * a["frame_lambda_s"]),
        ]
    else:
        batches = 1000 * a["stream_batches_per_visit"]
        lines += [
            Line(PRICES["lambda_req"], batches),
            Line(PRICES["lambda_gbs"], batches * a["lambda_gb"] * a["stream_lambda_s"]),
        ]
    return merge(lines)


def table(title: str, lines: list[Line]) -> str:
    rows = [
        f"**{title}**",
        "",
        "| service | unit | count | unit price (USD) | cost (USD) |",
        "|---|---|---:|---:|---:|",
    ]
    for line in lines:
        mark = "" if line.price.confirmed else " †"
        rows.append(
            f"| {line.price.service} | {line.price.unit} | {line.count:,.1f} | {line.price.usd:.8g}{mark} "
            f"| {line.cost:.4f} |"
        )
    rows.append(f"| **total** | | | | **{total(lines):.2f}** |")
    return "\n".join(rows)


def report(calls: dict[str, list[str]], a: dict[str, float]) -> str:
    parts = []
    for mode, name in (("stream", "stream processor, around the clock"), ("frames", "frame path")):
        parts.append(table(f"{name}: an idle month", idle_month(mode, a)))
        parts.append(table(f"{name}: 1,000 visits", thousand_visits(mode, calls, a)))
    parts.append("† not confirmed on the pricing page for this table (see bench/costs.py PRICES).")
    return "\n\n".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=Path, default=BENCH / "results" / "aws_calls.json")
    args = parser.parse_args()
    measured = json.loads(args.calls.read_text())
    calls = {name: entry["calls"] for name, entry in measured.items()}
    sys.stdout.write(report(calls, dict(ASSUMPTIONS)) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
