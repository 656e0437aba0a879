"""The AWS services of the cloud build, offline: the resources of the synthesised CloudFormation template
created on one moto server (stand_up), CloudFormation's intrinsic functions resolved as a deployment would
(intrinsics), and a Kinesis poller that drives a handler as Lambda's event source mapping does
(kinesis_poller)."""
