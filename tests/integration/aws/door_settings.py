"""The settings of the door that the AWS tier's flows (and bench/aws_calls.py) stand up on one moto server:
one owner, one sender, one bucket, collection and key secret, named once."""

from __future__ import annotations

from smartdoor.config import Settings

SETTINGS = Settings(
    owner_email="owner@example.com",
    mail_from="door@example.com",
    public_url="https://door.example",
    photo_bucket="door-photos",
    rekognition_collection="door-faces",
    hmac_secret_id="smartdoor/hmac-key",
)
