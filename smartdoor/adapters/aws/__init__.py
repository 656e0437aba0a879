"""The ports on AWS: DynamoDB tables, S3, SES, SNS, Rekognition, Kinesis Video.

Shipped in the Lambdas, so it imports no local code, no numpy, dlib, sqlite3 or strawberry; clients and names
come in through constructors, and nothing runs at import.
"""
